import { notImplemented } from './not-implemented';

export const specCommand = notImplemented('spec', 'spec');
