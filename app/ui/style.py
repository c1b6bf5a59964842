"""Theme and CSS for the chat page (system fonts only: nothing is fetched from the network)."""

from __future__ import annotations

import gradio as gr

FONTS = ["Source Sans Pro", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC",
         "WenQuanYi Micro Hei", "ui-sans-serif", "system-ui", "sans-serif"]


def theme() -> gr.themes.Base:
    return gr.themes.Default(primary_hue="red", secondary_hue="slate", neutral_hue="slate",
                             font=[gr.themes.LocalFont(FONTS[0]), *FONTS[1:]],
                             font_mono=["IBM Plex Mono", "ui-monospace", "monospace"])


CSS = """
.gradio-container { max-width: 1180px !important; width: 100% !important; margin: 0 auto !important; }
#xz-header h1 { font-size: 1.6rem; margin: 0.2rem 0 0; }
#xz-header p { color: var(--body-text-color-subdued); margin: 0.2rem 0 0.4rem; }
.xz-draft { display: inline-block; font-size: 0.78rem; padding: 1px 8px; border-radius: 10px;
            background: #fdecea; color: #a93226; border: 1px solid #f5b7b1; vertical-align: middle; }
.xz-examples-label p { margin: 0.3rem 0 0 !important; font-size: 0.9rem; }
.xz-examples button { flex: 0 1 auto !important; }
.xz-sources { margin-top: 0.6rem; border-top: 1px dashed var(--border-color-primary); padding-top: 0.4rem; }
.xz-sources summary { cursor: pointer; font-weight: 600; color: var(--color-accent); }
.xz-cites { padding-left: 0; list-style: none; margin: 0.4rem 0 0; }
.xz-cite { margin: 0 0 0.7rem; padding: 0.5rem 0.7rem; border-left: 3px solid #e6b0aa;
           background: var(--background-fill-secondary); border-radius: 4px; }
.xz-cite-head { font-weight: 600; }
.xz-num { color: var(--color-accent); }
.xz-where { color: var(--body-text-color-subdued); font-weight: 400; font-size: 0.9em; }
.xz-units { font-size: 0.9em; margin: 0.2rem 0; color: var(--body-text-color-subdued); }
.xz-clause { font-size: 0.92em; line-height: 1.65; }
.xz-clause mark, .xz-about mark { background: #fff3b0; color: inherit; padding: 0 1px; }
.xz-meta { font-size: 0.78em; color: var(--body-text-color-subdued); margin-top: 0.3rem; }
.xz-hint { color: var(--body-text-color-subdued); font-size: 0.92em; padding: 0.3rem 0; }
.xz-warn, .xz-status.xz-warn { color: #9a6700; background: #fff8e1; border: 1px solid #f3d37a;
                               padding: 0.5rem 0.8rem; border-radius: 6px; }
.xz-status.xz-error { color: #a93226; background: #fdecea; border: 1px solid #f5b7b1;
                      padding: 0.5rem 0.8rem; border-radius: 6px; }
.xz-status.xz-ok { color: #1e7b34; background: #e8f5e9; border: 1px solid #a5d6a7;
                   padding: 0.5rem 0.8rem; border-radius: 6px; }
.xz-lead, .xz-part { padding: 0 6px; border-radius: 3px; margin: 0 2px; }
.xz-lead { background: #c0392b; color: #fff; }
.xz-part { background: #fbe3e0; color: #7b241c; }
.xz-task { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 0.7rem 0.9rem;
           margin: 0.5rem 0; background: var(--background-fill-primary); }
.xz-task-head { margin-bottom: 0.3rem; }
.xz-task .xz-unit { display: inline-block; margin: 2px 6px 2px 0; padding: 1px 6px; border-radius: 4px;
                    background: var(--background-fill-secondary); font-size: 0.88em; }
.xz-task .xz-unit small { margin-left: 4px; color: var(--body-text-color-subdued); }
.xz-task .xz-unit.focus { background: #fbe3e0; font-weight: 600; }
#xz-matrix th, #xz-matrix td { text-align: center; }
.xz-filters { align-items: flex-end !important; }
.xz-reset { max-height: 42px; margin-bottom: 10px !important; }  /* buttons beside labelled inputs */
.xz-downloads { justify-content: flex-start !important; }
.xz-chips { justify-content: flex-start !important; align-items: center !important; gap: 6px !important; }
.xz-chips .xz-examples-label { flex: 0 0 auto !important; min-width: 0 !important; width: auto !important; }
.xz-chips button { flex: 0 1 auto !important; }
.xz-outline details { margin: 0.25rem 0; }
.xz-outline summary { cursor: pointer; padding: 0.2rem 0; }
.xz-outline summary small { color: var(--body-text-color-subdued); margin-left: 6px; }
.xz-sec-node > .xz-hint { margin-left: 1rem; }
.xz-task-node { margin-left: 1rem !important; padding: 0.2rem 0.6rem; border-left: 3px solid #e6b0aa;
                background: var(--background-fill-secondary); border-radius: 4px; }
.xz-task-node .xz-unit { display: inline-block; margin: 2px 6px 2px 0; padding: 1px 6px; border-radius: 4px;
                         background: var(--background-fill-primary); font-size: 0.88em; }
.xz-task-node .xz-unit small { margin-left: 4px; color: var(--body-text-color-subdued); }
.xz-term { padding: 0.4rem 0.6rem; margin: 0.35rem 0; border-bottom: 1px dashed var(--border-color-primary); }
.xz-def { font-size: 0.88em; color: var(--body-text-color-subdued); margin-top: 0.2rem; }
.xz-ok-tag, .xz-warn-tag { font-size: 0.75em; padding: 0 6px; border-radius: 8px; }
.xz-ok-tag { background: #e8f5e9; color: #1e7b34; }
.xz-warn-tag { background: #fff8e1; color: #9a6700; }
#xz-glossary { max-height: 70vh; overflow-y: auto; }
.xz-plain { display: none !important; }
.xz-open, .xz-link { font-weight: 400; font-size: 0.85em; margin-left: 0.4em; }
#xz-docview { position: fixed; top: 0; right: 0; bottom: 0; width: min(560px, 100vw); z-index: 1000;
              background: var(--background-fill-primary); box-shadow: -4px 0 18px rgba(0, 0, 0, 0.18);
              padding: 0.6rem 0.9rem; overflow: hidden; display: flex !important; flex-direction: column !important;
              flex-wrap: nowrap !important; }
#xz-docview > * { flex: 0 0 auto; }
#xz-docview > #xz-docview-body { flex: 1 1 0 !important; overflow-y: auto !important; min-height: 0 !important; }
.xz-docview-bar { align-items: center !important; }
.xz-doc-title { font-weight: 600; margin: 0.2rem 0 0.6rem; }
.xz-doc-body { line-height: 1.75; font-size: 0.95em; }
.xz-doc-body mark { background: #fff3b0; color: inherit; outline: 2px solid #f1c40f; padding: 0 2px; }
/* a selected cell keeps readable text whatever its role colour (the role colours are inline styles) */
#xz-matrix .cell-selected, #xz-matrix [aria-selected="true"] {
  background-color: #fff3b0 !important; color: #1a1a1a !important; outline: 2px solid #1f4e79; outline-offset: -2px; }
#xz-matrix .cell-selected * { color: #1a1a1a !important; }
#xz-clause-view { scroll-margin-top: 8px; }
@media (max-width: 640px) {
  #xz-header h1 { font-size: 1.2rem; }
  #xz-header p { font-size: 0.8rem; margin: 0; }
  #xz-chatbot { height: 46vh !important; min-height: 220px !important; max-height: 46vh !important; }
  .xz-examples { flex-wrap: nowrap !important; overflow-x: auto; }
  .xz-examples button { flex: 0 0 auto !important; }
  .xz-chat .row { flex-wrap: nowrap !important; }
  #xz-ask, #xz-clear { min-width: 56px !important; padding-left: 6px; padding-right: 6px; }
}
.xz-diff, .xz-diff-units { width: 100%; border-collapse: collapse; font-size: 0.9em; margin: 0.5rem 0; }
.xz-diff td, .xz-diff th, .xz-diff-units td, .xz-diff-units th { border: 1px solid var(--border-color-primary);
    padding: 0.3rem 0.45rem; vertical-align: top; }
.xz-diff del { background: #fdecea; color: #9b1c1c; } .xz-diff ins { background: #e6f4ea; color: #1e6b34; text-decoration: none; }
.xz-gain { color: #1e6b34; } .xz-loss { color: #9b1c1c; }
.xz-footer { text-align: center; font-size: 0.8rem; color: var(--body-text-color-subdued); }
"""
