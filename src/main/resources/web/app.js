// MEchat web client (protocol v1, browser transport §10).
// One WebSocket text message is one protocol line, in both directions; the server's lines
// carry no terminator. Everything received is inserted with textContent, never as HTML.

const MAX_LINE_BYTES = 4096; // the server's default max-line-bytes
const MAX_LOG_LINES = 1000; // older lines are dropped from the page
const NEAR_BOTTOM_PX = 48;

const $ = (id) => document.getElementById(id);
const ui = {
  status: $('status'),
  closed: $('closed'),
  closedTitle: $('closed-title'),
  closedReason: $('closed-reason'),
  reconnect: $('reconnect'),
  changeName: $('change-name'),
  joinView: $('join-view'),
  joinForm: $('join-form'),
  name: $('name'),
  join: $('join'),
  nameError: $('name-error'),
  chatView: $('chat-view'),
  partnerLabel: $('partner-label'),
  partner: $('partner'),
  next: $('next'),
  leave: $('leave'),
  log: $('log'),
  newMessages: $('new-messages'),
  sendForm: $('send-form'),
  message: $('message'),
  send: $('send'),
  messageHint: $('message-hint'),
};

const encoder = new TextEncoder();
const utf8Length = (s) => encoder.encode(s).length;
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
// U+0000–U+001F except TAB, U+007F–U+009F (spec §1)
const CONTROL_CHARS = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F]/;

const NAME_RULE_TEXT =
  'Names are 1 to 30 characters long and may use ASCII letters, digits and punctuation ' +
  '(like - _ . !), with no spaces, and may not start with “/”.';

// Notices after which the server closes the connection (§2, §10).
const CLOSING = {
  bye: { title: 'You left the chat', text: 'You left MEchat. Come back any time.', button: 'Chat again' },
  timeout: {
    title: 'Timed out',
    text: 'You took too long to choose a name, so the server closed the connection.',
    button: 'Try again',
  },
  'server full': {
    title: 'Server full',
    text: 'The server is full right now. Please try again in a little while.',
    button: 'Try again',
  },
  'too many connections': {
    title: 'Too many connections',
    text: 'There are too many MEchat connections from your network. Close another MEchat tab or window, or try again later.',
    button: 'Try again',
  },
  'server shutting down': {
    title: 'Server restarting',
    text: 'The server is shutting down. Please reconnect in a moment.',
    button: 'Reconnect',
  },
};

// Notices shown as system lines (§2).
const NOTICE_TEXT = {
  'message too long': `Your last message was too long (the limit is ${MAX_LINE_BYTES} bytes) and was not delivered.`,
  'invalid message': 'Your last message contained characters that cannot be sent, so it was not delivered.',
  'not matched': 'You are not talking to anyone right now, so your message was not delivered.',
  'unknown command': 'Unknown command. The commands are /next, /quit and /help.',
  'commands /next /quit /help': 'Commands: /next talks to someone else, /quit leaves MEchat, /help shows this list.',
};

let ws = null; // the current WebSocket, or null
let opened = false; // the current socket reached "open"
let state = 'start'; // start | joining | waiting | chatting | leaving | closed
let joined = false; // a name was accepted: the conversation view is in use
let pendingName = ''; // name sent (or about to be), answer not yet received
let lastName = ''; // the name to use again on reconnect
let partnerName = '';
let closingNotice = null; // notice received just before the server closes
let unread = 0;
let stickToBottom = true; // the reader is at the end of the log; false once they scroll up
let lastScrollTop = 0;

// ---------------------------------------------------------------------------------------
// connection

// /chat beside the page, so that a reverse proxy may serve both under a path of its own
function wsUrl() {
  const url = new URL('chat', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

function connect() {
  if (ws && (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN)) return;
  closingNotice = null;
  opened = false;
  let sock;
  try {
    sock = new WebSocket(wsUrl());
  } catch (e) {
    showClosed(null, 1006);
    return;
  }
  sock.binaryType = 'arraybuffer';
  ws = sock;
  sock.addEventListener('open', () => {
    if (sock !== ws) return;
    opened = true;
    if (pendingName) sendLine(pendingName);
  });
  sock.addEventListener('message', (ev) => {
    if (sock !== ws || typeof ev.data !== 'string') return; // the server never sends binary
    onLine(ev.data);
  });
  sock.addEventListener('close', (ev) => {
    if (sock !== ws) return;
    ws = null;
    onClose(ev.code);
  });
  // an 'error' event is always followed by 'close', which does the work
}

function sendLine(line) {
  if (ws && ws.readyState === WebSocket.OPEN) {
    ws.send(line);
    return true;
  }
  return false;
}

function onLine(raw) {
  let line = raw;
  if (line.endsWith('\n')) line = line.slice(0, line.endsWith('\r\n') ? -2 : -1);
  const sep = line.indexOf(': '); // notices never contain ": " (§2)
  if (sep > 0) {
    addLine('partner', line.slice(sep + 2), { from: line.slice(0, sep) });
    noteUnread();
    return;
  }
  onNotice(line);
}

function onNotice(n) {
  if (n === 'invalid username') {
    nameRefused(`That name can’t be used. ${NAME_RULE_TEXT}`, n);
  } else if (n === 'username taken') {
    nameRefused(`Someone is already using the name “${pendingName}”. Please try another one.`, n);
  } else if (n === 'wait') {
    nameAccepted();
    if (state !== 'waiting') addSystem('Looking for someone to talk to…', n);
    partnerName = '';
    setState('waiting');
  } else if (n.startsWith('matched to ')) {
    nameAccepted();
    partnerName = n.slice('matched to '.length);
    setState('chatting');
    addSystem(`You’re now talking to ${partnerName}. Say hello!`, n);
    if (!ui.chatView.contains(document.activeElement) || document.activeElement === ui.next) {
      ui.message.focus();
    }
  } else if (n === 'partner left') {
    addSystem(`${partnerName || 'Your partner'} left the conversation. Looking for someone new…`, n);
    partnerName = '';
    setState('waiting');
  } else if (Object.hasOwn(CLOSING, n)) {
    closingNotice = n; // the Close frame follows
    if (joined && n !== 'bye') addSystem(CLOSING[n].text, n);
  } else if (Object.hasOwn(NOTICE_TEXT, n)) {
    addSystem(NOTICE_TEXT[n], n);
  } else {
    addSystem(n, n); // a notice this page does not know yet: show it as it is
  }
}

function onClose(code) {
  const notice = closingNotice;
  closingNotice = null;
  const wasOpened = opened;
  opened = false;
  partnerName = '';
  if (!joined) {
    if (pendingName) lastName = pendingName;
    if (notice === 'timeout') {
      // before a name was accepted: explain next to the name field, Start connects again
      pendingName = '';
      setState('start');
      showNameError(`${CLOSING.timeout.text} Press Start to try again.`, notice);
      return;
    }
  }
  pendingName = '';
  showClosed(notice, code, wasOpened);
}

function showClosed(notice, code, wasOpened) {
  let title = 'Disconnected';
  let text;
  let button = 'Reconnect';
  if (notice && CLOSING[notice]) {
    ({ title, text, button } = CLOSING[notice]);
  } else if (!wasOpened) {
    title = 'Can’t connect';
    text = 'The chat server could not be reached. Check your connection and try again.';
    button = 'Try again';
  } else if (code === 1001) {
    text = 'The server went away. Please reconnect in a moment.';
  } else if (code === 1013) {
    text = 'The server is busy. Please try again later.';
  } else if (code === 1000) {
    text = 'The server closed the connection.';
  } else if (code === 1006) {
    text = 'The connection to the server was lost.';
  } else {
    text = `The connection was closed because of an error (code ${code}).`;
  }
  ui.closed.dataset.code = String(code);
  if (notice) ui.closed.dataset.notice = notice;
  else delete ui.closed.dataset.notice;
  ui.closedTitle.textContent = title;
  ui.closedReason.textContent = text;
  ui.reconnect.textContent = button;
  ui.changeName.hidden = !lastName;
  if (joined) addSystem(notice === 'bye' ? 'You left the chat.' : 'Disconnected.', null);
  setState('closed');
  ui.reconnect.focus();
}

// ---------------------------------------------------------------------------------------
// names

function checkName(name) {
  if (name === '') return 'Please enter a name.';
  if (/[ \t]/.test(name)) return `Names can’t contain spaces. ${NAME_RULE_TEXT}`;
  if (name.startsWith('/')) return `Names can’t start with “/”. ${NAME_RULE_TEXT}`;
  if (!/^[!-~]+$/.test(name)) {
    return `Only ASCII letters, digits and punctuation are allowed (no accents, emoji or symbols). ${NAME_RULE_TEXT}`;
  }
  if (name.length > 30) return `That name is too long. ${NAME_RULE_TEXT}`;
  return null;
}

function startJoin(name) {
  pendingName = name;
  lastName = name;
  hideNameError();
  setState('joining');
  if (!sendLine(name)) connect(); // sent on 'open'
}

function nameAccepted() {
  if (joined && !pendingName) return;
  joined = true;
  lastName = pendingName || lastName;
  pendingName = '';
  try {
    localStorage.setItem('mechat.name', lastName);
  } catch (e) {
    /* storage may be disabled */
  }
  ui.closed.hidden = true;
}

function nameRefused(text, notice) {
  if (joined) {
    // refused while reconnecting with the previous name: back to the name form
    joined = false;
    ui.name.value = pendingName;
  }
  pendingName = '';
  setState('start');
  showNameError(text, notice);
}

function showNameError(text, notice) {
  ui.nameError.textContent = text;
  if (notice) ui.nameError.dataset.notice = notice;
  else delete ui.nameError.dataset.notice;
  ui.nameError.hidden = false;
  ui.name.setAttribute('aria-invalid', 'true');
  ui.name.focus();
  ui.name.select();
}

function hideNameError() {
  ui.nameError.hidden = true;
  ui.nameError.textContent = '';
  delete ui.nameError.dataset.notice;
  ui.name.removeAttribute('aria-invalid');
}

// ---------------------------------------------------------------------------------------
// state and views

function setState(s) {
  state = s;
  document.body.dataset.state = s;
  const live = s === 'waiting' || s === 'chatting';
  ui.joinView.hidden = joined || s === 'closed';
  ui.chatView.hidden = !joined;
  ui.closed.hidden = s !== 'closed';
  ui.join.disabled = s === 'joining';
  ui.name.readOnly = s === 'joining';
  ui.next.disabled = s !== 'chatting';
  ui.leave.disabled = !live;
  ui.message.disabled = !joined || s === 'closed';
  ui.send.disabled = !live;
  ui.partner.textContent = s === 'chatting' ? partnerName : '';
  ui.partner.dataset.partner = s === 'chatting' ? partnerName : '';
  ui.partnerLabel.textContent = {
    chatting: 'Talking to',
    waiting: 'Looking for someone…',
    leaving: 'Leaving…',
    closed: 'Not connected',
  }[s] ?? 'Connecting…';
  ui.status.textContent = {
    start: 'Pick a name to start',
    joining: joined ? 'Reconnecting…' : 'Connecting…',
    waiting: 'Looking for someone…',
    chatting: `Talking to ${partnerName}`,
    leaving: 'Leaving…',
    closed: 'Disconnected',
  }[s];
}

// ---------------------------------------------------------------------------------------
// the log

function isNearBottom() {
  return ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight <= NEAR_BOTTOM_PX;
}

function scrollToBottom() {
  ui.log.scrollTop = ui.log.scrollHeight;
  lastScrollTop = ui.log.scrollTop;
  stickToBottom = true;
  ui.newMessages.hidden = true;
}

function addLine(kind, text, { from = '', notice = null } = {}) {
  const stick = stickToBottom;
  const li = document.createElement('li');
  li.className = `line line-${kind}`;
  li.dataset.kind = kind;
  if (notice) li.dataset.notice = notice;
  if (kind !== 'system') {
    li.dataset.from = kind === 'mine' ? lastName : from;
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = kind === 'mine' ? 'You' : from;
    const colon = document.createElement('span');
    colon.className = 'visually-hidden';
    colon.textContent = ':';
    who.append(colon);
    li.append(who);
  }
  const body = document.createElement('span');
  body.className = 'text';
  body.dir = 'auto';
  body.textContent = text;
  const now = new Date();
  const time = document.createElement('time');
  time.dateTime = now.toISOString();
  time.textContent = timeFormat.format(now);
  li.append(body, time);
  ui.log.append(li);
  while (ui.log.childElementCount > MAX_LOG_LINES) ui.log.firstElementChild.remove();
  if (kind === 'mine' || stick) scrollToBottom();
  else ui.newMessages.hidden = false;
  return li;
}

function addSystem(text, notice) {
  return addLine('system', text, { notice });
}

function noteUnread() {
  if (!document.hidden) return;
  unread += 1;
  document.title = `(${unread}) MEchat`;
}

// ---------------------------------------------------------------------------------------
// actions

function hint(text) {
  ui.messageHint.textContent = text;
}

function updateLengthHint() {
  const bytes = utf8Length(ui.message.value);
  if (bytes > MAX_LINE_BYTES) {
    hint(`Too long: ${bytes} of ${MAX_LINE_BYTES} bytes.`);
    ui.message.setAttribute('aria-invalid', 'true');
  } else {
    ui.message.removeAttribute('aria-invalid');
    hint(bytes > MAX_LINE_BYTES * 0.9 ? `${bytes} of ${MAX_LINE_BYTES} bytes.` : '');
  }
}

function sendMessage() {
  const text = ui.message.value;
  if (text.trim() === '') return; // the server ignores blank lines
  if (text.startsWith('/')) {
    const cmd = text.trim().toLowerCase();
    if (cmd === '/next') {
      ui.message.value = '';
      doNext();
    } else if (cmd === '/quit') {
      ui.message.value = '';
      doLeave();
    } else if (sendLine(text)) {
      ui.message.value = ''; // /help or an unknown command: the server answers
    }
    return;
  }
  if (state !== 'chatting') {
    hint('You’re not talking to anyone yet. Your message stays here until someone joins.');
    return;
  }
  const bytes = utf8Length(text);
  if (bytes > MAX_LINE_BYTES) {
    hint(`This message is too long (${bytes} bytes; the limit is ${MAX_LINE_BYTES}). Please shorten it.`);
    return;
  }
  if (CONTROL_CHARS.test(text)) {
    hint('This message contains invisible control characters, which can’t be sent.');
    return;
  }
  if (!sendLine(text)) return;
  addLine('mine', text);
  ui.message.value = '';
  hint('');
  ui.message.removeAttribute('aria-invalid');
}

function doNext() {
  if (state !== 'chatting') return;
  if (!sendLine('/next')) return;
  addSystem(`You left the conversation with ${partnerName}. Looking for someone new…`, null);
  partnerName = '';
  setState('waiting');
  ui.message.focus();
}

function doLeave() {
  if (state !== 'waiting' && state !== 'chatting') return;
  if (!sendLine('/quit')) return;
  setState('leaving'); // the server answers "bye" and closes
}

function doReconnect() {
  ui.closed.hidden = true;
  if (lastName) {
    startJoin(lastName);
  } else {
    setState('start');
    ui.name.focus();
  }
}

function doChangeName() {
  joined = false;
  ui.name.value = lastName;
  setState('start');
  ui.name.focus();
  ui.name.select();
}

// ---------------------------------------------------------------------------------------
// wiring

ui.joinForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  if (state === 'joining') return;
  const name = ui.name.value.replace(/^[ \t]+|[ \t]+$/g, ''); // the server trims spaces and tabs
  const problem = checkName(name);
  if (problem) {
    showNameError(problem, null);
    return;
  }
  startJoin(name);
});
ui.name.addEventListener('input', () => {
  if (!ui.nameError.hidden) hideNameError();
});
ui.sendForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  sendMessage();
});
ui.message.addEventListener('input', updateLengthHint);
ui.next.addEventListener('click', doNext);
ui.leave.addEventListener('click', doLeave);
ui.reconnect.addEventListener('click', doReconnect);
ui.changeName.addEventListener('click', doChangeName);
ui.newMessages.addEventListener('click', () => {
  scrollToBottom();
  ui.message.focus();
});
ui.log.addEventListener('scroll', () => {
  // Only the reader scrolling up unsticks the view. Scroll events also follow our own
  // scrollToBottom() and arrive after the log may have shrunk (banner, keyboard), when the
  // position no longer looks like "at the end" although the reader did nothing.
  const top = ui.log.scrollTop;
  if (isNearBottom()) stickToBottom = true;
  else if (top < lastScrollTop) stickToBottom = false;
  lastScrollTop = top;
  if (stickToBottom) ui.newMessages.hidden = true;
});
// the log changes size (banner shown, phone keyboard, rotation, view shown): stay at the end
// if the reader was there
new ResizeObserver(() => {
  if (stickToBottom) scrollToBottom();
}).observe(ui.log);
document.addEventListener('visibilitychange', () => {
  if (!document.hidden && unread) {
    unread = 0;
    document.title = 'MEchat';
  }
});

try {
  ui.name.value = localStorage.getItem('mechat.name') || '';
} catch (e) {
  /* storage may be disabled */
}
setState('start');
ui.name.focus();
ui.name.select();
