// The compile report's style sheet, inline in its page (driver/report/html_report.h).
#pragma once

namespace lmc::report {

inline constexpr const char* kReportStyle = R"css(
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 2em 4em; color: #1d2330; background: #fbfbfd; }
h1 { font-size: 1.5em; margin: 1em 0 .2em; } h2 { margin-top: 2em; border-bottom: 1px solid #d5d9e2; }
code, pre { font: 12.5px/1.4 ui-monospace, monospace; }
.meta { color: #555d6e; margin: .1em 0; } .meta code { color: #1d2330; }
nav a { margin-right: 1.2em; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border: 1px solid #d5d9e2; padding: 2px 8px; text-align: left; vertical-align: top; }
th { background: #eef0f5; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.unchanged td { color: #8a90a0; }
.pass { margin: 1em 0; border: 1px solid #d5d9e2; border-radius: 6px; background: #fff; }
.pass > summary { padding: .4em .8em; cursor: pointer; font-weight: 600; }
.pass .body { padding: 0 .8em .8em; }
.stats { color: #37415a; margin: .3em 0; }
pre.diff { background: #f6f7fa; padding: .5em; overflow: auto; max-height: 40em; border-radius: 4px; }
pre.diff span { display: block; white-space: pre; }
.add { background: #e3f7e3; color: #0c4a0c; } .del { background: #fbe4e4; color: #6b0f0f; }
.remark-inline { background: #fff3d6; color: #7a4b00; font-style: italic; }
.hunk { color: #5a3fa0; } .file { color: #555d6e; font-weight: 600; }
.note { color: #8a6d00; font-style: italic; }
ul.remarks { list-style: none; padding-left: 0; }
ul.remarks li { border-left: 3px solid #e0a100; padding: 2px 8px; margin: 4px 0; background: #fffaf0; }
.remark-value { font-weight: 600; color: #7a4b00; } .remark-op { display: block; color: #37415a; }
.pictures { display: flex; flex-direction: column; gap: 1em; }
figure { margin: 0; border: 1px solid #d5d9e2; padding: .4em; background: #fff; overflow-x: auto; }
figure img { max-width: 100%; min-width: 60em; height: auto; display: block; }
figcaption { color: #555d6e; font-size: .9em; }
.agree strong { color: #0c6a0c; } .disagree strong { color: #9b1010; }
tr.code td { border-top: none; padding: 0 8px; }
tr.code details > summary { cursor: pointer; color: #37415a; font-size: .9em; }
pre.listing { background: #f6f7fa; padding: .5em; overflow: auto; max-height: 40em; max-width: 110em; margin: .2em 0; }
.layer-select label { margin: 0 .6em 0 .1em; }
.layer-pictures { margin-top: .5em; } .layer-pictures figure { display: none; }
.remark-filter label { margin: 0 1em 0 .2em; }
#show-missed:checked ~ table tr:is(.passed, .analysis), #show-passed:checked ~ table tr:is(.missed, .analysis),
#show-analysis:checked ~ table tr:is(.passed, .missed) { display: none; }
tr.missed td:last-child { color: #7a4b00; }
.bar { display: inline-block; height: .8em; background: #4a78d0; vertical-align: middle; margin-right: .4em; }
)css";

}  // namespace lmc::report
