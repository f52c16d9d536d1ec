import { Command } from "commander";
import type { Context } from "../context.js";
import { ExitCode, ReportedFailure } from "../errors.js";
import type { Runner } from "./runner.js";
import { examples } from "./shared.js";
import { addTimeoutOption } from "./timeout.js";

export function doctorCommand(run: Runner): Command {
  return addTimeoutOption(
    new Command("doctor").description(
      "Explain the credential where this runs: the host, DefaultAzureCredential's chain, who the winner is, the subscription and ARM",
    ),
    "2m",
    "a credential that hangs (an az or azd that never answers) is reported as such",
  )
    .addHelpText(
      "after",
      `${examples([
        "miauth doctor",
        "AZURE_TOKEN_CREDENTIALS=AzureCliCredential miauth doctor -o yaml",
        "miauth doctor --query winner -o tsv",
      ])}
Exit codes: 0 when a credential works, 4 when none does. The JSON report is on stdout, a summary on
stderr; no token or identity header is ever printed.
`,
    )
    .action(run<Record<string, never>>(async (ctx) => doctor(ctx)));
}

async function doctor(ctx: Context): Promise<void> {
  const [{ runDoctor }, { boundHttpClient }, { doctorSummary }] = await Promise.all([
    import("../azure/doctor/index.js"),
    import("../azure/credential.js"),
    import("../output/doctor-summary.js"),
  ]);
  const stop = {};
  const report = await runDoctor({
    env: ctx.env,
    cloud: ctx.globals.cloud,
    armEndpoint: ctx.globals.armEndpoint,
    subscription: ctx.globals.subscription,
    signal: ctx.signal,
    httpClient: await boundHttpClient(ctx.credentialNotice(), stop),
    stop,
    arm: () => ctx.arm(),
  });
  ctx.io.stderr.write(doctorSummary(report, ctx.io.paint));
  ctx.print(report);
  if (!report.winner)
    throw new ReportedFailure("no credential of DefaultAzureCredential's chain works here", ExitCode.auth);
}
