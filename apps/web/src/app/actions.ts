'use server';

import { notFound, redirect } from 'next/navigation';
import { demoMode } from '../server/config';
import { isHttps } from '../server/request';
import { endSession, startSession, USER_ID_PATTERN } from '../server/session';

/** Demo sign-in: mints the user's token and keeps it in the httpOnly session cookie. */
export async function signIn(formData: FormData): Promise<void> {
  if (!demoMode()) notFound();
  const userId = String(formData.get('userId') ?? '').trim();
  if (!USER_ID_PATTERN.test(userId)) redirect('/signin?error=invalid-user');
  await startSession(userId, await isHttps());
  redirect('/');
}

export async function signOut(): Promise<void> {
  await endSession();
  redirect(demoMode() ? '/signin' : '/');
}
