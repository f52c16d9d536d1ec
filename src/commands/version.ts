import "./definition-kit.js";
import { Command } from "commander";
import { takesGlobalOptions } from "./global-options.js";
import type { Runner } from "./runner.js";
import { examples } from "./shared.js";

export function versionCommand(run: Runner): Command {
  const cmd = new Command("version")
    .description("Print the versions of miauth, Node.js and the bundled Azure SDK packages, and the platform")
    .addHelpText(
      "after",
      examples(["miauth version", "miauth version --query azureSdk -o yaml", "miauth --version --verbose"]),
    )
    .action(
      run(async (ctx) => {
        const { versionInfo } = await import("./actions.js");
        ctx.print(versionInfo());
      }),
    );
  return takesGlobalOptions(cmd, ["output", "query", "debug"]);
}
