// e2e: Labels from ROIs. Argument: "WORK;MODE". MODE "record": ImageJ with windows, the Recorder
// open, DialogFiller fills the dialog and presses OK; the recorded text is saved. MODE "replay":
// -batch, in a copy of this macro where test_labels_from_rois.sh has put the recorded line in
// place of the REPLAY comment (not eval(): the batch-mode ROI Manager belongs to the macro's own
// interpreter). Both print the label values at known places and the image's type.
args = split(getArgument(), ";");
work = args[0];
mode = args[1];
newImage("em", "8-bit ramp", 40, 30, 2);
roiManager("reset");
setSlice(1);
makeRectangle(2, 3, 10, 5);
Roi.setPosition(1);
roiManager("add");
roiManager("select", 0);
roiManager("rename", "0: background");
makeOval(20, 10, 8, 8);
Roi.setPosition(2);
roiManager("add");
roiManager("select", 1);
roiManager("rename", "1: hole");
run("Select None");
if (mode == "record") {
    run("Record...");
    call("DialogFiller.fill", "image=em;ignore_label=65535");
    run("Labels from ROIs");
    File.saveString(call("DialogFiller.recorded"), work + "/recorded.txt");
} else {
    // REPLAY
}
selectImage("em-labels");
setSlice(1);
a = getPixel(5, 5);
b = getPixel(24, 14);
setSlice(2);
c = getPixel(24, 14);
d = getPixel(5, 5);
print("E2E-LABELS " + mode + " bits=" + bitDepth() + " slices=" + nSlices + " " + a + " " + b + " " + c + " " + d);
if (mode == "record") run("Quit");
