() => {
  // Page behaviour Gradio has no option for: plain-text copy, opening sources, Chinese upload checks,
  // matrix header tooltips and scrolling to the clause. Runs once when the page loads.
  const $ = (sel, root = document) => root.querySelector(sel);

  // --- copy an answer as plain text: the message carries it in a hidden .xz-plain element ---------------
  window.xzLastCopy = "";
  const messageOf = (button) => {
    // the buttons sit in a .message-buttons box right after their message's .message-row
    const box = button.closest(".message-buttons");
    let row = box ? box.previousElementSibling : null;
    while (row && !row.classList.contains("message-row")) row = row.previousElementSibling;
    return row ? row.querySelector(".xz-plain") : null;
  };
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("#xz-chatbot button");
    if (!button) return;
    const label = (button.getAttribute("aria-label") || button.getAttribute("title") || "").toLowerCase();
    if (!/copy|复制/.test(label) || /all|全部/.test(label)) return;
    const plain = messageOf(button);
    if (!plain) return;  // a question: Gradio's own copy is plain already
    event.stopImmediatePropagation();
    event.preventDefault();
    const text = plain.textContent;
    window.xzLastCopy = text;
    const fallback = () => {
      const area = document.createElement("textarea");
      area.value = text; area.style.position = "fixed"; area.style.left = "-9999px";
      document.body.appendChild(area); area.select();
      try { document.execCommand("copy"); } catch (e) { /* nothing more to try */ }
      area.remove();
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).catch(fallback);
    else fallback();
    button.setAttribute("data-copied", "1");
    setTimeout(() => button.removeAttribute("data-copied"), 1500);
  }, true);

  // --- '查看全文' links in sources: ask the server for the document viewer --------------------------------
  window.xzScrollToHit = () => {
    const tryScroll = (left) => {
      const hit = $("#xz-docview-body #xz-hit");
      if (hit) { hit.scrollIntoView({block: "center"}); return; }
      if (left > 0) setTimeout(() => tryScroll(left - 1), 100);
    };
    tryScroll(30);
  };
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a.xz-open");
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    // the chat's sanitiser drops data-* attributes: the request travels in the link's fragment
    const hash = (link.getAttribute("href") || "").split("?")[1] || "";
    const q = new URLSearchParams(hash);
    window.xzOpenRequest = JSON.stringify({doc: q.get("doc"), key: q.get("key"), item: q.get("item")});
    const go = $("#xz-open-go");
    if (go) go.click();
  }, true);

  // --- uploads: size and type checked here, in Chinese, before Gradio's own English checks -------------
  const header = () => $("#xz-header [data-max-upload-mb]");
  const allowed = [".txt", ".md", ".docx", ".pdf"];
  const refuse = (message) => {
    const box = $("#xz-upload-check");
    if (box) { box.innerHTML = ""; const div = document.createElement("div");
      div.className = "xz-status xz-error"; div.textContent = message; box.appendChild(div); }
  };
  const check = (files) => {
    const limit = Number((header() || {dataset: {}}).dataset.maxUploadMb || 20);
    const problems = [];
    for (const f of files) {
      const dot = f.name.lastIndexOf(".");
      const ext = dot >= 0 ? f.name.slice(dot).toLowerCase() : "";
      if (!allowed.includes(ext)) problems.push(`${f.name}：不支持的文件类型（支持 ${allowed.join("、")}）`);
      else if (f.size > limit * 1048576)
        problems.push(`${f.name}：文件过大（${(f.size / 1048576).toFixed(1)} MB，上限 ${limit} MB），未上传`);
    }
    if (problems.length) refuse(problems.join("；"));
    else { const box = $("#xz-upload-check"); if (box) box.innerHTML = ""; }
    return problems.length === 0;
  };
  document.addEventListener("change", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file" || !input.closest("#xz-upload")) return;
    if (!check(Array.from(input.files || []))) { event.stopImmediatePropagation(); input.value = ""; }
  }, true);
  document.addEventListener("drop", (event) => {
    if (!event.target.closest || !event.target.closest("#xz-upload")) return;
    const files = Array.from((event.dataTransfer && event.dataTransfer.files) || []);
    if (!check(files)) { event.stopImmediatePropagation(); event.preventDefault(); }
  }, true);

  // --- matrix: task titles as header tooltips; a clicked cell's clause is scrolled into view ----------
  const titles = () => { try { return JSON.parse($("#xz-task-titles").dataset.titles || "{}"); } catch (e) { return {}; } };
  const label = () => {
    const map = titles();
    document.querySelectorAll("#xz-matrix th").forEach((th) => {
      // Gradio titles a header with its text ("6"); ours start with 第, so a new Gradio title means new headers
      const own = (th.getAttribute("title") || "").startsWith("第");
      const n = own ? th.dataset.xzN : (th.getAttribute("title") || th.textContent || "").trim();
      if (!map[n]) return;
      th.dataset.xzN = n;
      const want = `第${n}项 ${map[n]}`;
      if (th.getAttribute("title") !== want) th.setAttribute("title", want);
    });
  };
  new MutationObserver(() => label()).observe(document.body,
    {childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ["title", "data-titles"]});
  window.xzScrollToClause = () => {
    setTimeout(() => { const v = $("#xz-clause-view"); if (v) v.scrollIntoView({block: "start", behavior: "instant"}); }, 50);
  };
}
