// e2e: install libtorch from a macro (the index comes from SEGTRAIN_INDEX), then About.
run("Install libtorch...", "flavour=cpu");
run("About SegTrain");
print("E2E-MACRO-DONE");
