import { expectIconsLoad, pageProblems } from '../support';
import { expect, openHomeOf, test } from './support';

test('a signed-in home page on the real platform: icons load, no console error, no failed request', async ({
  page,
}) => {
  const problems = pageProblems(page);
  await openHomeOf(page, `e2e-icons-${Date.now().toString(36)}`);
  await expectIconsLoad(page);
  expect(problems).toEqual([]);
});
