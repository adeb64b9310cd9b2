// One case of the macro reliability suite: "N|Command...|options". A refused command must log
// "SegTrain error: ..." and abort this macro, so the line after it never prints.
parts = split(getArgument(), "|");
print("CASE " + parts[0]);
run(parts[1], parts[2]);
print("CASE " + parts[0] + " WENT ON");
