import { createHash, randomBytes } from 'node:crypto';

/** A fresh secret for a cookie or a kiosk link. */
export const newToken = () => randomBytes(32).toString('base64url');

/** What is stored instead of the secret itself. */
export const digest = (token: string) => createHash('sha256').update(token).digest('hex');
