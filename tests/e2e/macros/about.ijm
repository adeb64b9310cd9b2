// e2e: About SegTrain prints the native version and the default models folder.
run("About SegTrain");
print("E2E-MACRO-DONE");
