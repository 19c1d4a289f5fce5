#!/usr/bin/env python3
"""Writes a spec grown N times for bench/openapi-load.sh: every path of BASE
(a JSON OpenAPI 3.x document) copied N times under /copyK/..., operationIds
suffixed, components kept once. Writes OUT.json and OUT.yaml (same content).

Usage: openapi-grow.py BASE N OUT
"""
import json
import sys

import yaml

base_path, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(base_path) as f:
    base = json.load(f)
paths = {}
for k in range(n):
    for path, item in base.get("paths", {}).items():
        item = json.loads(json.dumps(item))
        for op in item.values():
            if isinstance(op, dict) and "operationId" in op:
                op["operationId"] = f"{op['operationId']}_{k}"
        paths[f"/copy{k}{path}"] = item
base["paths"] = paths
with open(out + ".json", "w") as f:
    json.dump(base, f, indent=1)
with open(out + ".yaml", "w") as f:
    yaml.dump(base, f, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True)
