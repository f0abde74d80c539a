// Launches Debian's headless Chromium through playwright-core, with the
// flags this project's machines need: no sandbox (CI runs as root), and none
// of Chromium's own background traffic (updates, sync, safe browsing), which
// would only be refused by the closed network. Playwright gives each launch a
// fresh, temporary profile (--user-data-dir).
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
