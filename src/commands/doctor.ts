import "./definition-kit.js";
import { Command } from "commander";
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
    .action(
      run<Record<string, never>>(async (ctx) => {
        const { doctorAction } = await import("./doctor-run.js");
        await doctorAction(ctx);
      }),
    );
}
