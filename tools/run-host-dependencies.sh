#!/usr/bin/env bash
# Checks that the run side links without the training side: the targets `facelyzr-run-host`
# builds (its transitive target closure in `swift package describe --type json`) must not
# include FacelyzrQuantizer, FacelyzrTrainer or CBLAS (OpenBLAS). Prints the closure, which is
# the dependency list of README "Layout".
set -euo pipefail
cd "$(dirname "$0")/.."
swift package describe --type json | python3 -c '
import json, sys
package = json.load(sys.stdin)
targets = {t["name"]: t for t in package["targets"]}
product = next(p for p in package["products"] if p["name"] == "facelyzr-run-host")
closure, products, pending = set(), set(), list(product["targets"])
while pending:
    name = pending.pop()
    if name in closure:
        continue
    closure.add(name)
    pending += targets[name].get("target_dependencies", [])
    products.update(targets[name].get("product_dependencies", []))
print("facelyzr-run-host builds:", ", ".join(sorted(closure)), "+ packages:", ", ".join(sorted(products)))
forbidden = sorted(closure & {"FacelyzrQuantizer", "FacelyzrTrainer", "CBLAS"})
if forbidden:
    sys.exit("facelyzr-run-host must not depend on " + ", ".join(forbidden))
'
