// Runs swagger-mock-validator on (spec, pact) pairs given as arguments
// (SPEC PACT SPEC PACT ...) and prints one JSON line per pair:
// {"spec", "pact", "success", "findings": [{"interaction", "code", "type", "location", "message"}]}
// or {"spec", "pact", "failure": "..."} when the validator refuses the input.
// The validator is the one installed next to this file (`npm ci --prefix` this
// folder), or under the npm prefix named by $SWAGGER_MOCK_VALIDATOR.
import { pathToFileURL, fileURLToPath } from 'node:url';
import path from 'node:path';

const prefix = process.env.SWAGGER_MOCK_VALIDATOR || path.dirname(fileURLToPath(import.meta.url));
const entry = path.join(prefix, 'node_modules/@pactflow/swagger-mock-validator/dist/swagger-mock-validator-factory.js');
const { SwaggerMockValidatorFactory } = await import(pathToFileURL(entry).href);

const args = process.argv.slice(2);
const validator = SwaggerMockValidatorFactory.create();
for (let i = 0; i + 1 < args.length; i += 2) {
  const [spec, pact] = [args[i], args[i + 1]];
  try {
    const result = await validator.validate({ specPathOrUrl: spec, mockPathOrUrl: pact });
    const findings = [...result.errors, ...result.warnings].map((r) => {
      const m = /^\[root\]\.(interactions|messages)\[(\d+)\]/.exec(r.mockDetails?.location ?? '');
      return {
        interaction: m ? Number(m[2]) : null,
        code: r.code,
        type: r.type,
        location: r.mockDetails?.location ?? null,
        message: r.message,
      };
    });
    console.log(JSON.stringify({ spec, pact, success: result.success, findings }));
  } catch (e) {
    console.log(JSON.stringify({ spec, pact, failure: String(e && e.message ? e.message : e) }));
  }
}
