// JUnit XML for CI systems: one test case per verify step.
import { oneLine } from "./io.js";
export interface JunitCase {
  name: string;
  status: "pass" | "fail" | "skip" | "warn";
  ms: number;
  code: string | null;
  message: string | null;
  cause?: string | null;
  fix?: string | null;
}

function esc(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/gu, "");
}

export function renderJunit(
  suite: string,
  classname: string,
  cases: JunitCase[],
  timestamp = new Date(),
): string {
  const failures = cases.filter((c) => c.status === "fail").length;
  const skipped = cases.filter((c) => c.status === "skip").length;
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const total = cases.reduce((sum, c) => sum + c.ms, 0);
  const body = cases
    .map((c) => {
      const open = `    <testcase name="${esc(c.name)}" classname="${esc(classname)}" time="${seconds(c.ms)}"`;
      if (c.status === "fail") {
        const message = `${c.code ?? "failed"}: ${c.message ?? ""}`;
        const detail = [c.cause && `cause: ${c.cause}`, c.fix && `fix: ${c.fix}`].filter(Boolean).join("\n");
        return `${open}>\n      <failure message="${esc(message)}" type="${esc(c.code ?? "failure")}">${esc(detail)}</failure>\n    </testcase>`;
      }
      if (c.status === "skip")
        return `${open}>\n      <skipped message="${esc(c.message ?? "")}"/>\n    </testcase>`;
      return `${open}/>`;
    })
    .join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="${esc(suite)}" tests="${cases.length}" failures="${failures}" skipped="${skipped}" time="${seconds(total)}">
  <testsuite name="${esc(suite)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(total)}" timestamp="${timestamp.toISOString()}">
${body}
  </testsuite>
</testsuites>
`;
}

/** GitHub Actions workflow command for an error annotation (data escaped as the runner expects). */
export function githubError(title: string, message: string): string {
  // Line breaks are the runner's to render (%0A); any other control character (a terminal escape in a
  // server's message) is shown as text, as on every other stderr line.
  const data = (s: string) => oneLine(s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A"));
  const prop = (s: string) => data(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
  return `::error title=${prop(title)}::${data(message)}`;
}
