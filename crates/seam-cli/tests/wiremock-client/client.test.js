// Drives `seam mock` through the npm WireMock client `wiremock-rest-client`,
// unchanged. The client exits the process with status 1 on any non-2xx admin
// answer, so every call below is also a check. The same script passes against
// WireMock 3.13.2 itself (`java -jar wiremock-standalone-3.13.2.jar`), so what
// it expects is WireMock's behaviour. Usage: node client.test.js BASE_URL
'use strict';
const assert = require('assert');
const { WireMockRestClient } = require('wiremock-rest-client');

const base = process.argv[2];
if (!base) {
  console.error('usage: node client.test.js BASE_URL');
  process.exit(2);
}
const wm = new WireMockRestClient(base, { logLevel: 'silent' });

async function get(path) {
  const res = await fetch(base + path);
  return { status: res.status, text: await res.text() };
}

async function main() {
  await wm.global.resetAll();

  const created = await wm.mappings.createMapping({
    name: 'list users',
    request: { method: 'GET', urlPath: '/api/users', queryParameters: { page: { equalTo: '1' } } },
    response: { status: 200, jsonBody: { users: [{ id: 1 }] }, headers: { 'Content-Type': 'application/json' } },
  });
  assert.ok(created.id, 'createMapping returns the mapping with its id');

  let res = await get('/api/users?page=1');
  assert.strictEqual(res.status, 200);
  assert.deepStrictEqual(JSON.parse(res.text), { users: [{ id: 1 }] });

  const all = await wm.mappings.getAllMappings();
  assert.strictEqual(all.mappings.length, 1);
  assert.strictEqual(all.meta.total, 1);

  const one = await wm.mappings.getMapping(created.id);
  assert.strictEqual(one.request.urlPath, '/api/users');

  await wm.mappings.updateMapping(created.id, {
    request: { method: 'GET', urlPath: '/api/users' },
    response: { status: 201, body: 'updated' },
  });
  res = await get('/api/users?page=1');
  assert.strictEqual(res.status, 201);
  assert.strictEqual(res.text, 'updated');

  const count = await wm.requests.getCount({ method: 'GET', urlPath: '/api/users' });
  assert.strictEqual(count.count, 2);
  const found = await wm.requests.findRequests({ method: 'GET', urlPath: '/api/users' });
  assert.strictEqual(found.requests.length, 2);
  assert.strictEqual(found.requests[0].method, 'GET');

  res = await get('/nope');
  assert.strictEqual(res.status, 404);
  const unmatched = await wm.requests.getUnmatchedRequests();
  assert.strictEqual(unmatched.requests.length, 1);
  assert.strictEqual(unmatched.requests[0].url, '/nope');
  const near = await wm.requests.getUnmatchedNearMisses();
  assert.ok(near.nearMisses.length >= 1, 'near misses name the closest stub');

  const journal = await wm.requests.getAllRequests();
  assert.strictEqual(journal.requests.length, 3);
  const first = await wm.requests.getRequest(journal.requests[0].id);
  assert.strictEqual(first.request.url, '/nope');

  await wm.mappings.createMapping({
    scenarioName: 'login', requiredScenarioState: 'Started', newScenarioState: 'in',
    request: { method: 'POST', url: '/login' }, response: { status: 204 },
  });
  await wm.mappings.createMapping({
    scenarioName: 'login', requiredScenarioState: 'in',
    request: { method: 'GET', url: '/me' }, response: { status: 200, body: 'me' },
  });
  assert.strictEqual((await get('/me')).status, 404);
  assert.strictEqual((await fetch(base + '/login', { method: 'POST' })).status, 204);
  assert.strictEqual((await get('/me')).text, 'me');
  const scenarios = await wm.scenarios.getAllScenarios();
  assert.strictEqual(scenarios.scenarios[0].state, 'in');
  await wm.scenarios.resetAllScenarios();
  assert.strictEqual((await get('/me')).status, 404);

  // WireMock 3 shapes: scenarios list their mappings; a scenario resets
  // with no body
  assert.strictEqual(scenarios.scenarios[0].mappings.length, 2);
  assert.deepStrictEqual(scenarios.scenarios[0].possibleStates, ['Started', 'in']);
  await fetch(base + '/login', { method: 'POST' });
  await wm.scenarios.resetScenario('login');
  assert.strictEqual((await wm.scenarios.getAllScenarios()).scenarios[0].state, 'Started');

  // the journal: counts say whether the journal is on; a serve event has
  // the answer, the stub and the timing
  const counted = await wm.requests.getCount({ method: 'GET', url: '/me' });
  assert.strictEqual(counted.requestJournalDisabled, false);
  const events = (await wm.requests.getAllRequests()).requests;
  const served = events.find((e) => e.request.url === '/login');
  assert.strictEqual(served.response.status, 204);
  assert.strictEqual(served.stubMapping.request.url, '/login');
  assert.strictEqual(typeof served.timing.totalTime, 'number');
  assert.strictEqual(served.request.method, 'POST');
  assert.ok(served.request.host && served.request.port && served.request.protocol);

  // near misses on WireMock's scale, for a request and for a pattern (the
  // client's own methods post to /__admin/requests/near-misses/..., which
  // WireMock answers 404; its routes are /__admin/near-misses/...)
  const post = async (path, body) =>
    (await fetch(base + path, { method: 'POST', body: JSON.stringify(body) })).json();
  const byRequest = await post('/__admin/near-misses/request', { method: 'GET', url: '/mee' });
  assert.strictEqual(byRequest.nearMisses[0].stubMapping.request.url, '/me');
  assert.ok(byRequest.nearMisses[0].matchResult.distance < 0.1);
  const byPattern = await post('/__admin/near-misses/request-pattern', { method: 'POST', url: '/login' });
  assert.strictEqual(byPattern.nearMisses[0].matchResult.distance, 0);
  assert.deepStrictEqual(byPattern.nearMisses[0].requestPattern, { method: 'POST', url: '/login' });
  const removed = await wm.requests.removeRequests({ method: 'POST', url: '/login' });
  assert.ok(removed.serveEvents.length >= 1);

  // global settings and health
  await wm.global.updateGlobalSettings({ fixedDelay: 1 });
  assert.strictEqual((await (await fetch(base + '/__admin/settings')).json()).settings.fixedDelay, 1);
  await wm.global.updateGlobalSettings({});
  const health = await (await fetch(base + '/__admin/health')).json();
  assert.strictEqual(health.status, 'healthy');
  assert.ok(health.version && health.timestamp && health.uptimeInSeconds >= 0);

  await wm.mappings.deleteMapping(created.id);
  assert.strictEqual((await wm.mappings.getAllMappings()).mappings.length, 2);
  await wm.requests.deleteAllRequests();
  assert.strictEqual((await wm.requests.getAllRequests()).requests.length, 0);
  await wm.mappings.deleteAllMappings();
  assert.strictEqual((await wm.mappings.getAllMappings()).mappings.length, 0);
  await wm.global.resetAll();
  console.log('wiremock-rest-client: all checks passed');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
