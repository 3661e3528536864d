// Debian's Chromium as the tests and benchmarks launch it: headless in a container, with nothing
// of its own reaching the network.
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * The features playwright-core switches off when it launches Chromium (its chromiumSwitches, as of
 * the version in package-lock.json). Chromium takes the last --disable-features it is given, not
 * all of them, so ours must repeat these; chromium-switches.test.ts fails when they drift apart.
 */
export const PLAYWRIGHT_DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync', 'DestroyProfileOnBrowserClose', 'HttpsUpgrades', 'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay', 'MediaRouter', 'PaintHolding', 'ThirdPartyStoragePartitioning', 'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin', 'OptimizationHints', 'NetworkTimeServiceQuerying', 'AimEnabled', 'PreconnectToSearch',
  'msForceBrowserSignIn', 'msEdgeUpdateLaunchServicesPreferredVersion',
];

/**
 * Chromium 14x+ draws the address bar's suggestion popup as a page of its own (a "top chrome" WebUI
 * renderer), made with every new window, which is every new browser context of a test. Headless
 * nobody sees it, and each one kept a process busy (about a tenth of a core each in the e2e run).
 */
export const HEADLESS_DISABLED_FEATURES = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup', 'WebUIOmniboxFullPopup'];

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...HEADLESS_DISABLED_FEATURES].join(',')}`];

/**
 * How every test and benchmark launches Debian's Chromium: headless, with CHROMIUM_ARGS and then
 * `extraArgs` (none of which may be another --disable-features: Chromium would take it alone).
 */
export function chromiumLaunchOptions(extraArgs: string[] = []): { executablePath: string; headless: true; args: string[] } {
  return { executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch(chromiumLaunchOptions());
}
