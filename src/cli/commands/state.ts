import { notImplemented } from './not-implemented';

export const stateCommand = notImplemented('state', 'state');
