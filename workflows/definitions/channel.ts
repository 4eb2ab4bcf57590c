// Channel names as workflows see them: the shared domain definition (pure, safe to bundle).
export type { Channel as ChannelName } from '../../src/shared/domain/channels';
