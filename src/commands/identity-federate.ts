// `miauth identity federate NAME -g RG --github OWNER/REPO (--branch B | --environment E | --pull-request | --tag T)`:
// GitHub Actions workload identity federation on a user-assigned identity; --list and --remove complete it.
import { type Command, Option } from "commander";
import { validateResourceGroupName, validateUserAssignedName } from "../azure/ids.js";
import { UsageError } from "../errors.js";
import type { Runner } from "./runner.js";
import { examples } from "./shared.js";
import { addTimeoutOption } from "./timeout.js";

interface FederateOptions {
  resourceGroup?: string;
  github?: string;
  branch?: string;
  environment?: string;
  pullRequest?: boolean;
  tag?: string;
  credentialName?: string;
  list?: boolean;
  remove?: string;
}

type Mode =
  | { kind: "list" }
  | { kind: "remove"; credential: string }
  | { kind: "add"; repo: string; subject: string; credential: string };

/** Flags to a mode, before any request: one-line usage errors (exit 2). */
async function parseMode(o: FederateOptions): Promise<Mode> {
  const f = await import("./actions.js");
  const trigger = [
    o.branch !== undefined && "--branch",
    o.environment !== undefined && "--environment",
    o.pullRequest && "--pull-request",
    o.tag !== undefined && "--tag",
  ].filter((x): x is string => typeof x === "string");
  const adding = [
    o.github !== undefined && "--github",
    ...trigger,
    o.credentialName !== undefined && "--credential-name",
  ].filter((x): x is string => typeof x === "string");
  if (o.list && o.remove !== undefined) throw new UsageError("conflicting --list and --remove: give one");
  const other = o.list ? "--list" : o.remove !== undefined ? "--remove" : undefined;
  if (other) {
    if (adding.length > 0) throw new UsageError(`${other} does not take ${adding.join(", ")}`);
    return o.remove !== undefined
      ? { kind: "remove", credential: f.parseCredentialName(o.remove, "--remove") }
      : { kind: "list" };
  }
  if (o.github === undefined) {
    throw new UsageError(
      trigger.length > 0
        ? `${trigger.join(", ")} needs --github OWNER/REPO`
        : "give --github OWNER/REPO with a trigger, --list or --remove NAME",
    );
  }
  const repo = f.parseGithubRepo(o.github);
  const parsed = f.parseTrigger(o);
  return {
    kind: "add",
    repo,
    subject: f.githubSubject(repo, parsed),
    credential:
      o.credentialName !== undefined
        ? f.parseCredentialName(o.credentialName)
        : f.defaultCredentialName(repo, parsed),
  };
}

/** Adds `federate` to the `identity` group. */
export function addFederateCommand(identity: Command, run: Runner): Command {
  const handler = (name: string) =>
    run<FederateOptions>(async (ctx, o) => {
      if (!validateUserAssignedName(name))
        throw new UsageError(
          `invalid identity name '${name}': use 3-128 letters, digits, '-' or '_', starting with a letter or digit`,
        );
      if (o.resourceGroup === undefined) throw new UsageError("identity federate needs -g/--resource-group");
      const resourceGroup = validateResourceGroupName(o.resourceGroup);
      const mode = await parseMode(o);
      const f = await import("./actions.js");
      const arm = await ctx.arm();
      const id = { subscriptionId: await ctx.subscriptionId(), resourceGroup, name };
      if (mode.kind === "list") {
        ctx.print(await f.listFederatedCredentials(arm, id, ctx.signal), { table: (v) => v });
        return;
      }
      if (mode.kind === "remove") {
        const removed = await f.removeFederatedCredential(arm, id, mode.credential, ctx.signal);
        if (removed.result === "absent")
          ctx.warn(`'${name}' has no federated credential '${mode.credential}': nothing to remove`);
        ctx.print(removed);
        return;
      }
      const result = await f.federate(
        arm,
        id,
        {
          name: mode.credential,
          issuer: f.GITHUB_ISSUER,
          subject: mode.subject,
          audiences: [f.TOKEN_EXCHANGE_AUDIENCE],
        },
        ctx.signal,
      );
      ctx.print(result);
      ctx.io.stderr.write(
        `${result.result === "created" ? "Added" : "Already there:"} federated credential '${result.credential.name}' for ${result.credential.subject}.\nA workflow that signs in with it:\n\n${f.workflowSnippet(result, result.credential.subject, "--account <storage-account>")}\n`,
      );
    });
  addTimeoutOption(
    identity
      .command("federate")
      .description(
        "Let a GitHub Actions workflow sign in as a user-assigned identity, without a secret (workload identity federation)",
      )
      .argument("<name>", "the user-assigned identity")
      .option("-g, --resource-group <name>", "the identity's resource group")
      .option("--github <owner/repo>", "the repository whose workflows may sign in")
      .addOption(new Option("--branch <branch>", "workflows running on pushes to this branch"))
      .addOption(new Option("--environment <name>", "jobs that use this deployment environment"))
      .addOption(new Option("--pull-request", "workflows triggered by pull requests"))
      .addOption(new Option("--tag <tag>", "workflows running on pushes of this tag"))
      .option("--credential-name <name>", "the credential's name (default: from the repository and trigger)")
      .option("--list", "list the identity's federated credentials")
      .option("--remove <credential>", "remove this federated credential")
      .addHelpText(
        "after",
        `${examples([
          "miauth identity federate msdocs-uami -g msdocs-sdk-auth-example --github octo-org/app --branch main",
          "miauth identity federate msdocs-uami -g msdocs-sdk-auth-example --github octo-org/app --environment production",
          "miauth identity federate msdocs-uami -g msdocs-sdk-auth-example --list -o table",
          "miauth identity federate msdocs-uami -g msdocs-sdk-auth-example --remove github-octo-org-app-branch-main",
        ])}
The result ({AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_SUBSCRIPTION_ID, credential, result}) is on stdout,
a workflow snippet on stderr. Re-running writes nothing when the credential is already there.
`,
      ),
    "2m",
  ).action((name: string, opts: FederateOptions, cmd: Command) => handler(name)(opts, cmd));
  return identity;
}
