/*
 * Bulletin default theme: the search page.
 * Reads the index the build writes below search/ (meta.json, s/<k>.bin postings shards,
 * d/<k>.json result metadata) and lists the matching posts. The URL is the whole state:
 * search/?q=…&board=…&from=YYYY-MM-DD&to=YYYY-MM-DD&page=N
 * Board text is untrusted: every node is made with createElement and textContent.
 */
(() => {
  "use strict";

  const PER_PAGE = 20;
  const PAGER_WIDTH = 10; // page numbers around the current one, as on the board pages
  const BEFORE = 20; // snippet characters before the first match
  const AFTER = 40; // and after it
  const WORD_LIMIT = 32;
  const WORD = /[\p{L}\p{M}\p{N}]/u;
  const encoder = new TextEncoder();

  // ---------- Tokenising: the same rules as the build's SearchTokenizer ----------

  const isSyllabic = (cp) =>
    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0x1100 && cp <= 0x11ff) ||
    (cp >= 0x3131 && cp <= 0x318e) || (cp >= 0x3040 && cp <= 0x30ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xf900 && cp <= 0xfaff);

  /** The runs of a text: [{syllabic, chars: [one string per code point]}]; words cut to 32. */
  function runs(text) {
    const out = [];
    let run = null;
    // Each code point lower-cased on its own, full-width Latin letters and digits folded to ASCII.
    for (const original of String(text).normalize("NFC")) {
      const cp = original.codePointAt(0);
      const folded = cp >= 0xff01 && cp <= 0xff5e ? String.fromCodePoint(cp - 0xfee0) : original;
      for (const ch of folded.toLowerCase()) {
        const syllabic = isSyllabic(ch.codePointAt(0));
        if (!syllabic && !WORD.test(ch)) {
          run = null;
          continue;
        }
        if (!run || run.syllabic !== syllabic) {
          run = { syllabic, chars: [] };
          out.push(run);
        }
        if (syllabic || run.chars.length < WORD_LIMIT) run.chars.push(ch);
      }
    }
    return out;
  }

  /** A run's tokens: one syllable alone, the overlapping bigrams of several, or the word. */
  function runTokens(run) {
    if (!run.syllabic || run.chars.length === 1) return [run.chars.join("")];
    return run.chars.slice(1).map((ch, i) => run.chars[i] + ch);
  }

  /** The tokens of a text, in order, as the index holds them. */
  const tokenize = (text) => runs(text).flatMap(runTokens);

  function fnv1a32(text) {
    let h = 0x811c9dc5;
    for (const b of encoder.encode(text)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
    return h;
  }

  /**
   * What a query asks for, all ANDed: [{token, word, prefix, shardKey}]. A word matches the words
   * it begins; a one-character word only itself, as longer words that begin with it lie in other shards.
   */
  function requirements(query) {
    const out = new Map();
    for (const run of runs(query)) {
      for (const token of runTokens(run)) {
        const word = !run.syllabic;
        const shardKey = word ? run.chars.slice(0, 2).join("") : token;
        out.set(token, { token, word, prefix: word && run.chars.length > 1, shardKey });
      }
    }
    return [...out.values()];
  }

  // ---------- Fetching: each file once, read once ----------

  const loaded = new Map();

  function load(url, read) {
    if (!loaded.has(url)) {
      loaded.set(url, fetch(url).then((response) => {
        if (!response.ok) throw new Error(`${url}: ${response.status}`);
        return read(response);
      }));
    }
    return loaded.get(url);
  }

  const asJSON = (response) => response.json();
  const asShard = async (response) => parseShard(await response.arrayBuffer());

  // ---------- Shards: s/<k>.bin ----------

  class Reader {
    constructor(bytes, pos = 0) {
      this.bytes = bytes;
      this.pos = pos;
    }

    /** An unsigned LEB128 varint (exact up to 2^53). */
    varint() {
      let value = 0;
      let scale = 1;
      for (;;) {
        if (this.pos >= this.bytes.length) throw new Error("search shard is cut short");
        const b = this.bytes[this.pos++];
        value += (b & 0x7f) * scale;
        if (b < 0x80) return value;
        scale *= 128;
      }
    }
  }

  /** A shard's term table: keys stay byte ranges, postings are read only when asked for. */
  function parseShard(buffer) {
    const bytes = new Uint8Array(buffer);
    const r = new Reader(bytes);
    if (bytes[r.pos++] !== 1) throw new Error("unknown search shard version");
    const terms = [];
    for (let count = r.varint(); count > 0; count--) {
      const keyLength = r.varint();
      const start = r.pos;
      r.pos += keyLength;
      terms.push({ start, end: r.pos, docs: r.varint(), blockLength: r.varint(), block: 0 });
    }
    // The blocks follow the table, in the same order.
    let offset = r.pos;
    for (const term of terms) {
      term.block = offset;
      offset += term.blockLength;
    }
    if (offset > bytes.length) throw new Error("search shard is cut short");
    return { bytes, terms };
  }

  /** Compares a term's key, cut to key's length, with key: <0, 0 (the term starts with key) or >0. */
  function comparePrefix(shard, term, key) {
    const n = term.end - term.start;
    for (let i = 0; i < n && i < key.length; i++) {
      const d = shard.bytes[term.start + i] - key[i];
      if (d !== 0) return d;
    }
    return n < key.length ? -1 : 0;
  }

  /** The terms equal to key, or with prefix all those that start with it: [{term, exact}]. */
  function findTerms(shard, key, prefix) {
    let lo = 0;
    let hi = shard.terms.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (comparePrefix(shard, shard.terms[mid], key) < 0) lo = mid + 1;
      else hi = mid;
    }
    const out = [];
    for (let i = lo; i < shard.terms.length && comparePrefix(shard, shard.terms[i], key) === 0; i++) {
      const term = shard.terms[i];
      const exact = term.end - term.start === key.length;
      if (exact || prefix) out.push({ term, exact });
      if (!prefix) break;
    }
    return out;
  }

  /** Calls visit(doc, weight) for each posting of a term. */
  function eachPosting(shard, term, visit) {
    const r = new Reader(shard.bytes, term.block);
    let doc = 0;
    for (let i = 0; i < term.docs; i++) {
      doc += r.varint();
      visit(doc, shard.bytes[r.pos++]);
    }
  }

  // ---------- Searching ----------

  /** 20240601 from "2024-06-01", or null. */
  function dayNumber(text) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
    return m ? Number(m[1] + m[2] + m[3]) : null;
  }

  /**
   * The doc numbers [lo, hi) of a date range's months, and where its last month ends (toEnd) and
   * its first month starts (fromStart): docs in those two months need their day checked.
   */
  function monthBounds(meta, from, to) {
    const months = meta.months || [];
    const b = { lo: 0, hi: meta.docs, toEnd: 0, fromStart: meta.docs };
    const firstDoc = (i) => (i < months.length ? months[i][1] : meta.docs);
    if (to !== null) {
      const month = Math.floor(to / 100);
      let i = months.findIndex((m) => m[0] <= month);
      if (i < 0) i = months.length;
      b.lo = firstDoc(i);
      b.toEnd = i < months.length && months[i][0] === month ? firstDoc(i + 1) : b.lo;
    }
    if (from !== null) {
      const month = Math.floor(from / 100);
      let j = months.findIndex((m) => m[0] < month);
      if (j < 0) j = months.length;
      b.hi = firstDoc(j);
      b.fromStart = j > 0 && months[j - 1][0] === month ? months[j - 1][1] : b.hi;
    }
    return b;
  }

  class Search {
    constructor(base, meta) {
      this.base = base;
      this.meta = meta;
    }

    shard(key) {
      const k = fnv1a32(key) % this.meta.shards;
      return load(`${this.base}search/s/${k}.bin`, asShard);
    }

    async doc(n) {
      const k = Math.floor(n / this.meta.chunk);
      const doc = (await load(`${this.base}search/d/${k}.json`, asJSON))[n - k * this.meta.chunk];
      if (!doc) throw new Error(`search doc ${n} is missing`);
      return doc;
    }

    /** The first index in [a, b) of the ascending doc numbers whose day passes test (false…, true…). */
    async firstWhere(docs, a, b, test) {
      while (a < b) {
        const mid = (a + b) >>> 1;
        if (test((await this.doc(docs[mid]))[5])) b = mid;
        else a = mid + 1;
      }
      return a;
    }

    /** The doc numbers that match, best first. */
    async run(reqs, board, from, to) {
      if (reqs.length === 0) return [];
      if (board) {
        const token = "\u0001b:" + board;
        reqs = [...reqs, { token, word: false, prefix: false, shardKey: token, filter: true }];
      }
      const shards = await Promise.all(reqs.map((req) => this.shard(req.shardKey)));
      const bounds = monthBounds(this.meta, from, to);

      // doc -> score, one map per requirement, inside the months of the date range.
      const maps = reqs.map((req, i) => {
        const scores = new Map();
        for (const { term, exact } of findTerms(shards[i], encoder.encode(req.token), req.prefix)) {
          eachPosting(shards[i], term, (doc, weight) => {
            if (doc < bounds.lo || doc >= bounds.hi) return;
            const score = req.filter ? 0 : req.word && exact ? weight * 2 : weight;
            if (!(scores.get(doc) >= score)) scores.set(doc, score);
          });
        }
        return scores;
      });
      // A requirement counts by its rarity: particles' pairs (에서, 까지) are in most posts.
      const rarity = maps.map((m) => Math.log(1 + this.meta.docs / Math.max(1, m.size)));
      maps.forEach((m, i) => {
        if (!reqs[i].filter) for (const [doc, s] of m) m.set(doc, s * rarity[i]);
      });
      maps.sort((x, y) => x.size - y.size);

      const score = new Map();
      for (const [doc, first] of maps[0]) {
        let sum = first;
        for (let i = 1; i < maps.length && sum !== undefined; i++) {
          const s = maps[i].get(doc);
          sum = s === undefined ? undefined : sum + s;
        }
        if (sum !== undefined) score.set(doc, sum);
      }
      let docs = [...score.keys()].sort((x, y) => x - y);

      // In the range's last and first months, drop the docs after `to` and before `from`.
      let a = 0;
      let b = docs.length;
      if (to !== null) {
        const end = docs.findIndex((d) => d >= bounds.toEnd);
        a = await this.firstWhere(docs, 0, end < 0 ? b : end, (day) => day <= to);
      }
      if (from !== null) {
        const start = docs.findIndex((d) => d >= bounds.fromStart);
        if (start >= 0) b = await this.firstWhere(docs, Math.max(a, start), b, (day) => day < from);
      }
      docs = docs.slice(a, Math.max(a, b));
      return docs.sort((x, y) => score.get(y) - score.get(x) || x - y);
    }
  }

  // ---------- Snippets ----------

  /** Where the needles (arrays of code points) occur in chars: [{at, length}], in order, apart. */
  function occurrences(chars, needles) {
    // Lower-cased one code point at a time, so that an index here is an index in chars.
    const low = chars.map((ch) => {
      const l = ch.toLowerCase();
      return [...l].length === 1 ? l : ch;
    });
    const out = [];
    for (let i = 0; i < low.length; i++) {
      let best = 0;
      for (const needle of needles) {
        if (needle.length > best && needle.every((ch, j) => low[i + j] === ch)) best = needle.length;
      }
      if (best > 0) {
        out.push({ at: i, length: best });
        i += best - 1;
      }
    }
    return out;
  }

  /** A piece of the excerpt around the first place the query's words occur, with <mark>s. */
  function snippet(excerpt, query) {
    const chars = [...String(excerpt || "").normalize("NFC")];
    const hits = occurrences(chars, runs(query).map((run) => run.chars));
    const first = hits[0];
    const start = first ? Math.max(0, first.at - BEFORE) : 0;
    const end = Math.min(chars.length, first ? first.at + first.length + AFTER : BEFORE + AFTER);
    const p = el("p", "search-snippet");
    let at = start;
    let text = start > 0 ? "…" : "";
    for (const hit of hits) {
      if (hit.at + hit.length > end) break;
      p.append(text + chars.slice(at, hit.at).join(""), el("mark", null, chars.slice(hit.at, hit.at + hit.length).join("")));
      at = hit.at + hit.length;
      text = "";
    }
    p.append(text + chars.slice(at, end).join("") + (end < chars.length ? "…" : ""));
    return p;
  }

  // ---------- Rendering ----------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** A day number as listings show it (24.06.21) and as a date (2024-06-21). */
  function dayTexts(day) {
    const s = String(day);
    return { short: `${s.slice(2, 4)}.${s.slice(4, 6)}.${s.slice(6, 8)}`, iso: `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}` };
  }

  /** One result as a listing row: date, board and title with its comment count and a snippet, author. */
  function resultRow(ctx, doc) {
    const [path, title, boardIndex, author, dateText, day, comments, excerpt] = doc;
    const [slug, boardTitle] = ctx.meta.boards[boardIndex] || ["", ""];

    const days = dayTexts(day);
    const time = el("time", null, days.short);
    time.dateTime = days.iso;
    time.title = dateText;
    const dateCell = el("td", "col-date");
    dateCell.append(time);

    const titleCell = el("td", "col-title");
    const boardLink = el("a", "badge badge-board", boardTitle);
    boardLink.href = ctx.boardURLs.get(slug) || `${ctx.base}${slug}/`;
    const link = el("a", "row-link", title);
    link.href = ctx.base + path;
    titleCell.append(boardLink, " ", link);
    if (comments > 0) {
      const count = el("span", "comment-count", `[${comments}]`);
      count.title = `댓글 ${comments}개`;
      titleCell.append(" ", count);
    }
    if (excerpt) titleCell.append(snippet(excerpt, ctx.query));

    const row = el("tr", "row");
    row.append(dateCell, titleCell, el("td", "col-author", author));
    return row;
  }

  function resultTable(ctx, docs, total) {
    const table = el("table", "listing listing-multi search-listing");
    const head = el("tr");
    for (const [cls, label] of [["col-date", "날짜"], ["col-title", "제목"], ["col-author", "작성자"]]) {
      const th = el("th", cls, label);
      th.scope = "col";
      head.append(th);
    }
    const thead = el("thead");
    thead.append(head);
    const tbody = el("tbody");
    tbody.append(...docs.map((doc) => resultRow(ctx, doc)));
    table.append(el("caption", "visually-hidden", `검색 결과 목록, 전체 ${total}개`), thead, tbody);
    return table;
  }

  /** The board pages' pager (pager.mustache): first, previous, a window of numbers, next, last. */
  function pager(ctx, current, total) {
    const start = Math.max(1, Math.min(current - PAGER_WIDTH / 2 + 1, total - PAGER_WIDTH + 1));
    const end = Math.min(total, start + PAGER_WIDTH - 1);
    const ul = el("ul");
    const word = (text) => el("span", "pager-word", text);
    const item = (cls, page, label, parts, rel) => {
      let node;
      if (page) {
        node = el("a");
        node.href = ctx.pageURL(page);
        if (label) node.setAttribute("aria-label", label);
        if (rel) node.rel = rel;
        if (cls === "pager-num" && page === current) node.setAttribute("aria-current", "page");
      } else {
        node = el("span", "pager-disabled");
        node.setAttribute("aria-hidden", "true");
      }
      node.append(...parts);
      const li = el("li", cls);
      li.append(node);
      ul.append(li);
    };
    const gap = () => {
      const li = el("li", "pager-gap", "…");
      li.setAttribute("aria-hidden", "true");
      ul.append(li);
    };

    if (start > 1) item("pager-first", 1, "첫 페이지", ["«", word(" 처음")]);
    item("pager-prev", current > 1 ? current - 1 : 0, "이전 페이지", ["‹", word(" 이전")], "prev");
    if (start > 2) gap();
    for (let n = start; n <= end; n++) item("pager-num", n, null, [String(n)]);
    if (end < total - 1) gap();
    item("pager-next", current < total ? current + 1 : 0, "다음 페이지", [word("다음 "), "›"], "next");
    if (end < total) item("pager-last", total, `마지막 페이지 (${total})`, [word("끝 "), "»"]);

    const nav = el("nav", "pager");
    nav.setAttribute("aria-label", "페이지 이동");
    nav.append(ul, el("p", "pager-status", `${current} / ${total} 페이지`));
    return nav;
  }

  // ---------- The page ----------

  function readState() {
    const params = new URLSearchParams(location.search);
    const page = parseInt(params.get("page") || "1", 10);
    return {
      q: (params.get("q") || "").trim(),
      board: params.get("board") || "",
      from: dayNumber(params.get("from")) !== null ? params.get("from") : "",
      to: dayNumber(params.get("to")) !== null ? params.get("to") : "",
      page: page > 0 ? page : 1,
    };
  }

  /** The URL of a page of a search: only the fields that are set. */
  function stateURL(state, page) {
    const params = new URLSearchParams({ q: state.q });
    if (state.board) params.set("board", state.board);
    if (state.from) params.set("from", state.from);
    if (state.to) params.set("to", state.to);
    if (page > 1) params.set("page", String(page));
    return `${location.pathname}?${params}`;
  }

  async function show(form, state) {
    const status = document.getElementById("search-status");
    const results = document.getElementById("search-results");
    const pagerBox = document.getElementById("search-pager");
    const base = form.dataset.base || "/";
    const boardURLs = new Map([...form.elements.board.options].filter((o) => o.value).map((o) => [o.value, o.dataset.url]));
    const say = (...parts) => status.replaceChildren(...parts);
    const note = (cls, text) => results.replaceChildren(el("p", cls, text));
    const reqs = requirements(state.q);

    say("찾는 중…");
    try {
      const meta = reqs.length ? await load(`${base}search/meta.json`, asJSON) : { boards: [] };
      const boardTitle = new Map(meta.boards).get(state.board);
      if (boardTitle === undefined) state.board = "";
      form.elements.board.value = state.board;
      let from = dayNumber(state.from);
      let to = dayNumber(state.to);
      if (from !== null && to !== null && from > to) [from, to] = [to, from];

      const search = new Search(base, meta);
      const docs = await search.run(reqs, state.board, from, to);
      const pages = Math.max(1, Math.ceil(docs.length / PER_PAGE));
      const page = Math.min(state.page, pages);
      const shown = await Promise.all(docs.slice((page - 1) * PER_PAGE, page * PER_PAGE).map((n) => search.doc(n)));

      const line = ["검색어 '", el("strong", null, state.q), "'에 맞는 글 ", el("strong", null, String(docs.length)), "개"];
      if (state.board) line.push(el("span", "listing-page", ` · ${boardTitle}`));
      if (from !== null || to !== null) {
        const [f, t] = [from, to].map((day) => (day === null ? "" : dayTexts(day).iso));
        line.push(el("span", "listing-page", ` · ${f && t ? `${f} ~ ${t}` : f ? `${f}부터` : `${t}까지`}`));
      }
      if (pages > 1) line.push(el("span", "listing-page", ` · ${page}/${pages} 페이지`));
      say(...line);

      pagerBox.replaceChildren();
      if (docs.length === 0) {
        note("empty-note", reqs.length
          ? "맞는 글이 없습니다. 낱말을 줄이거나 게시판과 기간을 넓혀 다시 찾아보세요."
          : "찾을 수 있는 글자가 없습니다. 한글, 영문, 숫자가 든 낱말로 찾아 주세요.");
        return;
      }
      const ctx = { base, meta, boardURLs, query: state.q, pageURL: (n) => stateURL(state, n) };
      results.replaceChildren(resultTable(ctx, shown, docs.length));
      if (pages > 1) pagerBox.append(pager(ctx, page, pages));
    } catch (error) {
      say();
      pagerBox.replaceChildren();
      note("callout search-error", "검색 색인을 불러오지 못했습니다. 잠시 뒤에 다시 시도해 주세요.");
      console.error(error);
    }
  }

  function start() {
    const form = document.getElementById("search-form");
    if (!form) return;
    const state = readState();
    const fields = form.elements;
    fields.q.value = state.q;
    fields.board.value = state.board;
    if (fields.board.value !== state.board) fields.board.value = "";
    fields.from.value = state.from;
    fields.to.value = state.to;

    // Submit to a clean URL: no empty fields, back to the first page.
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const next = { q: fields.q.value.trim(), board: fields.board.value, from: fields.from.value, to: fields.to.value };
      location.assign(stateURL(next, 1));
    });

    if (!state.q) {
      fields.q.focus();
      return;
    }
    document.title = `${state.q} - ${document.title}`;
    show(form, state);
  }

  window.BulletinSearch = { tokenize, runs, requirements, fnv1a32, snippet };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
