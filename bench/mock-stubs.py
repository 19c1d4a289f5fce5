#!/usr/bin/env python3
"""Writes the mock benchmarks' 1,000 stubs into DIR, in both forms:
DIR/seam/stubs.yaml (seam stub file) and DIR/wiremock/mappings/item-N.json.
Each answers GET /api/items/N with a small JSON body."""
import json
import os
import sys

work = sys.argv[1]
os.makedirs(f"{work}/seam", exist_ok=True)
os.makedirs(f"{work}/wiremock/mappings", exist_ok=True)
lines = ["stubs:"]
for i in range(1000):
    lines += [f"  - name: item {i}",
              f"    request: {{ method: GET, path: /api/items/{i} }}",
              f"    response: {{ status: 200, headers: {{ Content-Type: application/json }}, text: '{{\"id\":{i},\"name\":\"item {i}\"}}' }}"]
    with open(f"{work}/wiremock/mappings/item-{i}.json", "w") as f:
        json.dump({"request": {"method": "GET", "urlPath": f"/api/items/{i}"},
                   "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                                "body": json.dumps({"id": i, "name": f"item {i}"})}}, f)
with open(f"{work}/seam/stubs.yaml", "w") as f:
    f.write("\n".join(lines) + "\n")
