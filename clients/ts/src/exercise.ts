// An employer portal's use of the API through the generated, typed client: list its cases (every page), read one
// case's compliance and a submitted progress report, and get a typed problem document for a case it may not see.
// Run against a live server by tests/contract/contract_clients.py (which sets the SPOORWIJZER_* variables).
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/schema.js";

type CaseRead = components["schemas"]["CaseRead"];

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`check failed: ${what}`);
}

const employerId = env("SPOORWIJZER_EMPLOYER_ID");
const caseId = env("SPOORWIJZER_CASE_ID");
const reportId = env("SPOORWIJZER_REPORT_ID");
const client = createClient<paths>({
  baseUrl: env("SPOORWIJZER_API"),
  headers: { Authorization: `Bearer ${env("SPOORWIJZER_EMPLOYER_KEY")}` },
});

const cases: CaseRead[] = [];
let cursor: string | undefined;
do {
  const { data, error } = await client.GET("/v1/cases", { params: { query: { limit: 2, cursor } } });
  if (error) throw new Error(`listing cases: ${error.status} ${error.title}`);
  cases.push(...data.items);
  cursor = data.next_cursor ?? undefined;
} while (cursor);
check(cases.length === Number(env("SPOORWIJZER_EMPLOYER_CASES")), `the employer sees its ${cases.length} cases`);
check(cases.every((c) => c.employer_id === employerId), "only the employer's own cases");
check(cases.some((c) => c.id === caseId), "the seeded case is listed");

const compliance = await client.GET("/v1/cases/{case_id}/compliance", { params: { path: { case_id: caseId } } });
if (compliance.error) throw new Error(`compliance: ${compliance.error.status} ${compliance.error.title}`);
check(compliance.data.case_id === caseId, "compliance of the asked case");
check(compliance.data.obligations.length > 0, "obligations listed");
const werkgever = compliance.data.outstanding.werkgever.map((o) => `${o.code}:${o.status}:${o.due_on}`);

const report = await client.GET("/v1/progress-reports/{report_id}", { params: { path: { report_id: reportId } } });
if (report.error) throw new Error(`report: ${report.error.status} ${report.error.title}`);
// The same operation serves the PDF (Accept: application/pdf): the body type is JSON or a PDF string.
const submitted = report.data;
check(typeof submitted !== "string", "the report as JSON");
check(submitted.status === "submitted" && submitted.id === reportId, "the submitted report");

const riv = await client.GET("/v1/cases/{case_id}/reintegratieverslag", { params: { path: { case_id: caseId } } });
if (riv.error) throw new Error(`reintegratieverslag: ${riv.error.status} ${riv.error.title}`);
type PartKey = components["schemas"]["PartRead"]["part"];
const parts: PartKey[] = riv.data.parts.map((p) => p.part);
check(parts.length === 10 && parts[0] === "ziekmelding_en_gegevens", `the ten parts in order: ${parts}`);

const hidden = await client.GET("/v1/cases/{case_id}", {
  params: { path: { case_id: "00000000-0000-4000-8000-000000000000" } },
});
check(hidden.response.status === 404 && hidden.error?.status === 404, "a case outside the employer's view is 404");

console.log(
  JSON.stringify({
    client: "typescript",
    cases: cases.length,
    obligations: compliance.data.obligations.length,
    riv_parts: parts.length,
    werkgever_outstanding: werkgever,
    report: { period: submitted.period, submitted_on: submitted.submitted_on },
  }),
);
