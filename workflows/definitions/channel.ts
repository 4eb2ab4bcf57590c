// Channel names as workflows see them (mirrors src/integrations/channels.ts without importing it).
export type ChannelName = 'email' | 'sms' | 'linkedin' | 'voice' | 'mail';
