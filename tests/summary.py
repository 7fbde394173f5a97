#!/usr/bin/env python3
"""summary.py JUNIT.xml [SECONDS]: the test suite's closing summary from ctest's JUnit output:
one line per skipped test with its reason (the "SKIPPED: ..." line it printed), one per failed
test, and a count of passed, failed and skipped tests (ctest's own "100% tests passed" counts
a skipped test as passed). Exits 1 if a test failed or none ran."""
import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
passed, failed, skipped = [], [], []
for case in root.iter("testcase"):
    name, status = case.get("name"), case.get("status")
    out = "".join(x.text or "" for x in case if x.tag == "system-out")
    if status == "run":
        passed.append(name)
    elif status == "fail":
        failed.append(name)
    else:
        reason = next((l.strip() for l in out.splitlines() if l.startswith("SKIPPED")), "")
        reason = reason[len("SKIPPED:"):].strip() if reason else "(no reason printed)"
        skipped.append((name, reason))
total = len(passed) + len(failed) + len(skipped)
print()
print("==== test summary")
if skipped:
    print("skipped (%d), with the reason each gave:" % len(skipped))
    for name, reason in skipped:
        print("  %-44s %s" % (name, reason))
if failed:
    print("failed (%d):" % len(failed))
    for name in failed:
        print("  " + name)
ran = len(passed) + len(failed)
line = "%d tests: %d passed, %d failed, %d skipped (%.0f%% ran)" % (
    total, len(passed), len(failed), len(skipped), 100.0 * ran / max(total, 1))
if len(sys.argv) > 2:
    line += " in %s s" % sys.argv[2]
print(line)
sys.exit(1 if failed or ran == 0 else 0)
