import { notImplemented } from './not-implemented';

export const listCommand = notImplemented('list', 'list');
