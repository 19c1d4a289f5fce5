#!/usr/bin/env python3
"""Writes N WireMock mappings in a realistic mix of conditional stubs into
DIR/mappings/ (issue 14), for bench/mock-conditional.sh:

- 40% `urlPathPattern` regex paths with header matchers (`contains`, `matches`);
  two stubs share each path regex and differ by a header, and one in ten
  regexes has no literal prefix beyond `/api/`;
- 20% `urlPath` with query matchers (`equalTo`, `matches`), two per path;
- 20% POSTs with `matchesJsonPath` and `equalToJson` + `ignoreExtraElements`;
- 20% plain `url` stubs (method and exact URL);
- a fifth of the answers templated (`response-template`);
- one catch-all `/api/.*` at priority 10, as real mapping sets often have.

Usage: bench/mock-conditional.py DIR N
Prints, one per line, `KIND METHOD URL [HEADER...]` for the requests the
benchmark sends (each answered by a stub in the middle of the table), and
writes DIR/post.lua for the POST request.
"""
import json
import os
import sys

work, n = sys.argv[1], int(sys.argv[2])
os.makedirs(f"{work}/mappings", exist_ok=True)
SERVICES = ["catalog", "billing", "accounts", "shipping", "search", "users", "reviews", "stock"]


def templated(i):
    return (i // 5) % 5 == 0


def answer(i, kind):
    if templated(i):
        body = ('{"stub": %d, "kind": "%s", "path": "{{request.path}}", '
                '"tenant": "{{request.headers.X-Tenant}}", "page": "{{request.query.page}}"}' % (i, kind))
        return {"status": 200, "headers": {"Content-Type": "application/json"}, "body": body,
                "transformers": ["response-template"]}
    return {"status": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"stub": i, "kind": kind, "items": [1, 2, 3]})}


def regex_path(group):
    svc = SERVICES[group % len(SERVICES)]
    if group % 10 == 9:
        # no literal prefix beyond /api/: the version is a class
        return f"/api/v[0-9]+/{svc}-{group}/items/[0-9]+"
    return f"/api/{svc}-{group}/orders/[0-9]+(/lines)?"


mappings = []
for i in range(n):
    k, g = i % 5, i // 5
    if k in (0, 1):  # path regex + headers; stubs g*2 and g*2+1 share a regex
        pair = i // 5 * 2 + k
        group = pair // 2
        request = {"method": "GET", "urlPathPattern": regex_path(group),
                   "headers": {"X-Tenant": {"contains": f"tenant-{pair % 2}"},
                               "Accept": {"matches": "application/(json|[a-z.]+\\+json)"}}}
        kind = "regex"
    elif k == 2:  # query matchers; two stubs per path
        request = {"method": "GET", "urlPath": f"/api/search-{g // 2}",
                   "queryParameters": {"q": {"equalTo": f"term-{g}"}, "page": {"matches": "[0-9]{1,3}"}}}
        kind = "query"
    elif k == 3:  # POST with JSON body matchers
        request = {"method": "POST", "urlPath": f"/api/orders-{g}",
                   "headers": {"Content-Type": {"contains": "json"}},
                   "bodyPatterns": [
                       {"matchesJsonPath": "$.customer[?(@.tier == 'gold')]"},
                       {"equalToJson": {"type": "order", "channel": f"web-{g}"}, "ignoreExtraElements": True}]}
        kind = "post"
    else:  # plain url
        request = {"method": "GET", "url": f"/api/plain/{g}"}
        kind = "plain"
    mappings.append({"request": request, "response": answer(i, kind)})
mappings.append({"priority": 10, "request": {"method": "ANY", "urlPathPattern": "/api/.*"},
                 "response": {"status": 404, "jsonBody": {"error": "no such resource"}}})
for i, m in enumerate(mappings):
    with open(f"{work}/mappings/m-{i:05d}.json", "w") as f:
        json.dump(m, f)

# the requests: each hits a stub in the middle of the table
mid = n // 10  # a group in the middle (groups run to n // 5)
plain_g = mid + (1 if templated(mid * 5 + 4) else 0)  # a static plain answer
regex_g = next(g for g in range(mid, n) if not templated(g * 5 + 1))
tmpl_g = next(g for g in range(mid, n) if templated(g * 5 + 1))
query_g = next(g for g in range(mid, n) if not templated(g * 5 + 2))
post_g = next(g for g in range(mid, n) if not templated(g * 5 + 3))


def regex_request(g):
    # stub g*5+1 is pair 2g+1 (the second of the two sharing the regex): the
    # first candidate fails on its header, the second answers
    group = (g * 2 + 1) // 2
    path = regex_path(group).replace("v[0-9]+", "v2").replace("[0-9]+(/lines)?", "12345").replace("[0-9]+", "77")
    return path


print(f"regex GET {regex_request(regex_g)} X-Tenant:acme-tenant-1 Accept:application/json")
print(f"query GET /api/search-{query_g // 2}?q=term-{query_g}&page=2")
print(f"templated GET {regex_request(tmpl_g)} X-Tenant:acme-tenant-1 Accept:application/json")
print(f"post POST /api/orders-{post_g} Content-Type:application/json")
print(f"plain GET /api/plain/{plain_g}")
with open(f"{work}/post.lua", "w") as f:
    f.write('wrk.method = "POST"\n')
    f.write("wrk.body = '%s'\n" % json.dumps(
        {"type": "order", "channel": f"web-{post_g}", "customer": {"name": "Ann", "tier": "gold"},
         "items": [{"sku": "A-1", "qty": 2}, {"sku": "B-7", "qty": 1}]}))
    f.write('wrk.headers["Content-Type"] = "application/json"\n')
