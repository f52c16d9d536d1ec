// `miauth completion SHELL`: a completion script made from the program itself (every command's options
// and their values, as --help lists them), so it cannot drift from the commands.
import "./definition-kit.js";
import { Argument, Command } from "commander";
import { UsageError } from "../errors.js";
import { takesGlobalOptions } from "./global-options.js";
import { examples } from "./shared.js";

export const SHELLS = ["bash", "zsh", "fish", "pwsh"] as const;
export type Shell = (typeof SHELLS)[number];

export function completionCommand(): Command {
  const shell = new Argument("<shell>", "bash, zsh, fish or pwsh");
  shell.argChoices = [...SHELLS];
  const cmd = new Command("completion")
    .description("Print a shell completion script: commands, options and the values options take")
    .addArgument(shell)
    .addHelpText(
      "after",
      examples([
        "source <(miauth completion bash)          # in ~/.bashrc",
        "source <(miauth completion zsh)           # in ~/.zshrc, after compinit",
        "miauth completion fish > ~/.config/fish/completions/miauth.fish",
        "miauth completion pwsh | Out-String | Invoke-Expression   # in $PROFILE",
      ]),
    )
    .action(async (name: string, _opts: unknown, self: Command) => {
      const wanted = SHELLS.find((s) => s === name.toLowerCase());
      if (!wanted) throw new UsageError(`unknown shell '${name}': use bash, zsh, fish or pwsh`);
      const { completionScript } = await import("./completion-scripts.js");
      const program = self.parent ?? self;
      self.configureOutput().writeOut?.(completionScript(wanted, program));
    });
  return takesGlobalOptions(cmd, ["debug"]);
}
