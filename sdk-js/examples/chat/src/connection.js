// The connection indicator. Live means: the socket is up and every channel the app holds is
// joined. Channels report their subscribe statuses here; a channel that comes back after a
// drop triggers its catch-up (the SDK replays what was missed; the app also refetches since its
// newest message, so nothing is lost even past the server's retention window).
import { $ } from './dom.js';

const channels = new Map(); // name -> status

export function reportChannel(name, status) {
  if (status === 'REMOVED') channels.delete(name);
  else channels.set(name, status);
  render();
}

export function forgetAllChannels() {
  channels.clear();
  render();
}

function render() {
  const el = $('#connection-status');
  let text;
  if (!navigator.onLine) text = 'offline';
  else if (!channels.size) text = 'connecting';
  else if ([...channels.values()].every((s) => s === 'SUBSCRIBED')) text = 'connected';
  else text = [...channels.values()].some((s) => s === 'SUBSCRIBED') ? 'reconnecting' : 'connecting';
  if (el.textContent !== text) {
    el.textContent = text;
    el.dataset.state = text;
  }
}

addEventListener('online', render);
addEventListener('offline', render);

/**
 * Subscribes {@code channel} and reports its statuses; {@code onLive(isRejoin)} runs each time it
 * becomes SUBSCRIBED, with isRejoin true after the first time.
 */
export function subscribeTracked(channel, name, onLive) {
  let joinedBefore = false;
  channel.subscribe((status) => {
    reportChannel(name, status);
    if (status === 'SUBSCRIBED') {
      onLive?.(joinedBefore);
      joinedBefore = true;
    }
  });
  return channel;
}
