// A data folder written by an earlier workbench opens in this one with nothing lost: the checks are
// in test/support/upgradeChecks.ts. This file takes every other fixture from the oldest;
// upgrade-data-folder-alternate.test.ts takes the rest, so the two run side by side.
import { dataFolderFixtures } from '../support/dataFolderFixtures';
import { describeUpgrades } from '../support/upgradeChecks';

describeUpgrades(dataFolderFixtures.filter((_, i) => i % 2 === 0));
