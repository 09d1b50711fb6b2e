/** The Mattermost server version chat-core answers as (websocket hello, X-Version-Id). */
export const SERVER_VERSION = '10.5.0.gatehouse.0.1.0';
