import { expect, test } from '@playwright/test';

test('about dialog opens with Enter, closes with Escape and returns focus', async ({ page }) => {
  await page.goto('/signin');
  const trigger = page.getByRole('button', { name: 'About this demo' });
  const dialog = page.getByRole('dialog', { name: 'About this demo' });

  // A key pressed before React has hydrated the trigger is lost, so press again until the dialog opens.
  await expect(async () => {
    await trigger.press('Enter');
    await expect(dialog).toBeVisible({ timeout: 2_000 });
  }).toPass();
  await expect(dialog).toHaveAccessibleDescription('One server-driven home screen per user.');
  await expect(dialog.getByRole('button', { name: 'Close' })).toBeFocused();

  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(trigger).toBeFocused();
});
