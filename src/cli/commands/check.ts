import { notImplemented } from './not-implemented';

export const checkCommand = notImplemented('check', 'check');
