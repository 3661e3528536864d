// The other half of the data-folder upgrade checks (see upgrade-data-folder.test.ts): every other
// fixture from the second oldest.
import { dataFolderFixtures } from '../support/dataFolderFixtures';
import { describeUpgrades } from '../support/upgradeChecks';

describeUpgrades(dataFolderFixtures.filter((_, i) => i % 2 === 1));
