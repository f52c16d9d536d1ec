import "./definition-kit.js";
import { Command } from "commander";
import { addRoleOptions, type RawAssignOptions } from "./role-flags.js";
import type { Runner } from "./runner.js";
import { examples } from "./shared.js";
import { addTimeoutOption } from "./timeout.js";

export function assignRoleCommand(run: Runner): Command {
  return addTimeoutOption(
    addRoleOptions(
      new Command("assign-role").description(
        "Assign a role to a managed identity (or any principal) at a scope; does nothing if it is already there",
      ),
      "assign",
    ),
    "10m",
  )
    .option("--storage-account <name>", "scope: this storage account, found through ARM (instead of --scope)")
    .option(
      "--storage-resource-group <group>",
      "the storage account's resource group (else the subscription's accounts are listed)",
    )
    .option("--container <name>", "scope: this blob container of --storage-account")
    .addHelpText(
      "after",
      examples([
        'miauth assign-role --webapp msdocs-web -g msdocs-sdk-auth-example --role "Storage Blob Data Contributor"',
        'miauth assign-role --webapp msdocs-web -g msdocs-sdk-auth-example --role "Storage Blob Data Contributor" --storage-account msdocsstorage',
        'miauth assign-role --vm msdocs-vm -g msdocs-sdk-auth-example --role "Storage Blob Data Reader" --storage-account msdocsstorage --container msdocs-container',
        'miauth assign-role --assignee <principalId> --role "Storage Blob Data Contributor" --resource-group msdocs-sdk-auth-example',
        "miauth assign-role --assignee ada@msdocs.onmicrosoft.com --role Reader -g msdocs-sdk-auth-example   # or appId:GUID, or a service principal's name",
        "miauth assign-role --assignees-file principals.txt --role ba92f5b4-2d11-453d-a403-e96b0029c9fe --scope /subscriptions/…/storageAccounts/msdocsstorage",
      ]),
    )
    .action(
      run<RawAssignOptions>(async (ctx, raw) => {
        const { assignRoleAction } = await import("./actions.js");
        await assignRoleAction(ctx, raw);
      }),
    );
}
