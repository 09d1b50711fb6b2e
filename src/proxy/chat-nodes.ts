/**
 * The chat-core nodes the gateway forwards to (`chat.urls`, or the one `chat.url`). Requests and
 * websockets are spread round-robin; the nodes share their database and fan websocket events out to
 * each other through Redis, so any node can serve any user.
 */
export interface ChatNodes {
  /** The node for the next request or connection. */
  next(): URL;
  readonly all: readonly URL[];
}

export function createChatNodes(urls: readonly string[]): ChatNodes {
  if (urls.length === 0) throw new Error('at least one chat-core URL is needed');
  const all = urls.map((url) => new URL(url));
  let turn = 0;
  return {
    all,
    next() {
      const node = all[turn % all.length]!;
      turn = (turn + 1) % all.length;
      return node;
    },
  };
}
