// setup's plan and result for people (stderr): one line per step, then for a finished run the few lines
// of app code the guide uses, with the variable it reads.
import type { SetupPlan, SetupResult, SetupStep } from "../azure/setup/index.js";
import { type Io, oneLine } from "./io.js";

function mark(s: SetupStep, p: Io["paint"]): string {
  switch (s.result) {
    case "failed":
      return p.err("FAIL     ");
    case "would-create":
    case "would-update":
      return p.warn(s.result === "would-create" ? "create   " : "update   ");
    case "created":
    case "updated":
      return p.warn(s.result.padEnd(9));
    case "skipped":
      return p.dim("skip     ");
    default:
      return p.dim(s.result.padEnd(9));
  }
}

function steps(list: SetupStep[], p: Io["paint"]): string[] {
  return list.map(
    (s) =>
      `  ${mark(s, p)} ${oneLine(`${s.step.padEnd(12)} ${s.detail}${s.error ? `: ${s.error.message}` : ""}`)}`,
  );
}

export function planSummary(plan: SetupPlan, p: Io["paint"]): string {
  const lines = [
    oneLine(`plan for ${plan.target} (storage account ${plan.storageAccount.name}):`),
    ...steps(plan.steps, p),
  ];
  return `${lines.join("\n")}\n`;
}

export function resultSummary(r: SetupResult, p: Io["paint"]): string {
  const lines: (string | null)[] = [oneLine(`setup ${r.result}: ${r.target}`), ...steps(r.steps, p)];
  if (r.result !== "failed") {
    const variable = r.setting?.name ?? Object.keys(r.variables ?? {})[0] ?? "AZURE_STORAGE_ACCOUNT_NAME";
    const app = /\/providers\/Microsoft\.App\/containerApps\//i.test(r.target);
    if (r.variables)
      lines.push(
        app
          ? "the container app's template needs, as env (a new revision; --set-env does it):"
          : "the app on the VM needs:",
        ...Object.entries(r.variables).map(([k, v]) => oneLine(`  export ${k}=${v}`)),
      );
    lines.push(
      "the app's code (JavaScript, as the guide has it):",
      r.steps.some((s) => s.step === "client-id")
        ? "  // DefaultAzureCredential reads AZURE_CLIENT_ID: the user-assigned identity's client ID"
        : null,
      `  const credential = new DefaultAzureCredential();`,
      `  const blobs = new BlobServiceClient(\`https://\${process.env.${variable}}.blob.core.windows.net\`, credential);`,
    );
  }
  return `${lines.filter((l) => l !== null).join("\n")}\n`;
}
