//! The raw and C dumps against bpftool (when installed), and the C dump against clang-19
//! (when installed): the header must compile and reproduce every struct's size and every
//! named member's offset.

mod common;

use hive_btf::{Btf, Kind};
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

fn have(tool: &str) -> bool {
    let ok = Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("note: {tool} not installed, skipping the comparison");
    }
    ok
}

/// bpftool 7.1 (libbpf 1.1) predates the `mode(byte)`/`mode(word)` attributes newer libbpf
/// adds to 1- and 8-byte enums so that the header reproduces their size; drop them to
/// compare.
fn without_mode_attrs(s: &str) -> String {
    s.replace(" __attribute__((mode(byte)))", "").replace(" __attribute__((mode(word)))", "")
}

fn bpftool(file: &Path, c: bool) -> Option<String> {
    let mut cmd = Command::new("bpftool");
    cmd.args(["btf", "dump", "file"]).arg(file);
    if c {
        cmd.args(["format", "c"]);
    }
    let out = cmd.output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn objects() -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for sub in ["ebpf-samples", "cilium-ebpf"] {
        if let Some(dir) = common::corpus(sub) {
            files.extend(common::files_with_ext(&dir, &[".o", ".elf"]));
        }
    }
    files
}

#[test]
fn raw_and_c_dumps_match_bpftool() {
    if !have("bpftool") {
        return;
    }
    let (mut compared, mut raw_same, mut c_same) = (0, 0, 0);
    let mut diffs = Vec::new();
    for f in objects() {
        let data = std::fs::read(&f).unwrap();
        let Some(raw) = hive_btf::elf_sections(&data).ok().and_then(|s| s.btf) else { continue };
        let btf = Btf::parse(raw).unwrap();
        let (Some(want_raw), Some(want_c)) = (bpftool(&f, false), bpftool(&f, true)) else { continue };
        compared += 1;
        if hive_btf::dump_raw(&btf) == want_raw {
            raw_same += 1;
        } else {
            diffs.push(format!("raw {}", f.display()));
        }
        if without_mode_attrs(&hive_btf::dump_c(&btf)) == want_c {
            c_same += 1;
        } else {
            diffs.push(format!("c {}", f.display()));
        }
    }
    println!("bpftool: {compared} objects, raw dump identical for {raw_same}, C dump identical for {c_same}");
    assert!(diffs.is_empty(), "{diffs:#?}");
}

#[test]
fn vmlinux_dumps_match_bpftool() {
    let Some(data) = common::cilium_vmlinux() else { return };
    if !have("bpftool") {
        return;
    }
    let path = std::env::temp_dir().join(format!("hive-btf-vmlinux-{}.btf", std::process::id()));
    std::fs::write(&path, &data).unwrap();
    let btf = Btf::parse(&data).unwrap();
    let raw = bpftool(&path, false).unwrap();
    let c = bpftool(&path, true).unwrap();
    std::fs::remove_file(&path).ok();
    assert!(hive_btf::dump_raw(&btf) == raw, "raw dump of vmlinux differs from bpftool's");
    assert!(without_mode_attrs(&hive_btf::dump_c(&btf)) == c, "C dump of vmlinux differs from bpftool's");
    println!("vmlinux: raw ({} lines) and C ({} lines) dumps identical to bpftool's", raw.lines().count(), c.lines().count());
}

/// `_Static_assert`s on the size of every uniquely named struct/union and the offset of its
/// named, non-bitfield members, so clang checks the layout the header describes. Recent
/// kernels embed named structs as anonymous members (`struct ns_tree;` inside a struct), a
/// Microsoft extension the kernel now builds with, hence `-fms-extensions`.
///
/// Two vmlinux structs are left out, because no C header written from BTF (bpftool's
/// included) can reproduce them:
/// - `warn_args` holds a `va_list`, i.e. `__builtin_va_list`, 24 bytes on x86-64 but 8 for
///   `-target bpf`;
/// - `virtio_scsi_cmd` has a union of packed structs at byte offset 75 of an otherwise
///   naturally aligned struct, which needs per-member `packed`/`aligned` attributes that BTF
///   does not record.
const LAYOUT_EXCEPTIONS: [&str; 2] = ["warn_args", "virtio_scsi_cmd"];

fn layout_asserts(btf: &Btf<'_>) -> (String, usize) {
    let mut names: HashMap<&str, usize> = HashMap::new();
    for t in btf.types() {
        if t.kind().is_composite() || t.kind() == Kind::Typedef || t.kind().is_enum() || t.kind() == Kind::Fwd {
            *names.entry(t.name()).or_default() += 1;
        }
    }
    let mut out = String::new();
    let mut n = 0;
    for t in btf.types() {
        if !t.kind().is_composite() || t.name().is_empty() || names[t.name()] != 1 || LAYOUT_EXCEPTIONS.contains(&t.name()) {
            continue;
        }
        let kw = if t.kind() == Kind::Struct { "struct" } else { "union" };
        let name = t.name();
        out += &format!("_Static_assert(sizeof({kw} {name}) == {}, \"size of {name}\");\n", t.size_or_type());
        n += 1;
        for m in t.members() {
            if m.name.is_empty() || m.bitfield_size != 0 || btf.type_by_id(m.ty).and_then(|x| x.int()).is_some_and(|i| i.bits % 8 != 0) {
                continue;
            }
            out += &format!(
                "_Static_assert(__builtin_offsetof({kw} {name}, {}) == {}, \"{name}.{}\");\n",
                m.name,
                m.bit_offset / 8,
                m.name
            );
            n += 1;
        }
    }
    (out, n)
}

fn compiles(header: &str, asserts: &str, tag: &str) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("hive-btf-c-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("vmlinux.h"), header).unwrap();
    std::fs::write(dir.join("t.c"), format!("#include \"vmlinux.h\"\n{asserts}\nint dummy;\n")).unwrap();
    let out = Command::new("clang-19")
        .args(["-target", "bpf", "-fsyntax-only", "-fms-extensions", "-Wno-microsoft-anon-tag", "t.c"])
        .current_dir(&dir)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    if out.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&out.stderr).chars().take(2000).collect()) }
}

#[test]
fn vmlinux_c_dump_compiles_with_the_right_layout() {
    let Some(data) = common::cilium_vmlinux() else { return };
    if !have("clang-19") {
        return;
    }
    let btf = Btf::parse(&data).unwrap();
    let (asserts, n) = layout_asserts(&btf);
    compiles(&hive_btf::dump_c(&btf), &asserts, "vmlinux").unwrap();
    println!("vmlinux.h compiles with clang-19; {n} size/offset assertions hold");
}

#[test]
fn object_c_dumps_compile_with_the_right_layout() {
    if !have("clang-19") {
        return;
    }
    let (mut ok, mut asserts_total) = (0, 0);
    let mut failures = Vec::new();
    for (i, f) in objects().iter().enumerate() {
        let data = std::fs::read(f).unwrap();
        let Some(raw) = hive_btf::elf_sections(&data).ok().and_then(|s| s.btf) else { continue };
        let btf = Btf::parse(raw).unwrap();
        let (asserts, n) = layout_asserts(&btf);
        match compiles(&hive_btf::dump_c(&btf), &asserts, &i.to_string()) {
            Ok(()) => {
                ok += 1;
                asserts_total += n;
            }
            Err(e) => failures.push(format!("{}: {e}", f.display())),
        }
    }
    println!("{ok} object headers compile with clang-19 ({asserts_total} size/offset assertions)");
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn split_dumps_match_bpftool() {
    let (Some(base_p), Some(split_p)) = (
        common::corpus("cilium-ebpf/btf/testdata/btf_testmod.btf.base"),
        common::corpus("cilium-ebpf/btf/testdata/btf_testmod.btf"),
    ) else {
        return;
    };
    if !have("bpftool") {
        return;
    }
    let base_data = std::fs::read(&base_p).unwrap();
    let split_data = std::fs::read(&split_p).unwrap();
    let base = Btf::parse(&base_data).unwrap();
    let split = Btf::parse_split(&split_data, &base).unwrap();
    let run = |c: bool| {
        let mut cmd = Command::new("bpftool");
        cmd.args(["btf", "dump", "file"]).arg(&split_p).arg("-B").arg(&base_p);
        if c {
            cmd.args(["format", "c"]);
        }
        String::from_utf8(cmd.output().unwrap().stdout).unwrap()
    };
    assert!(hive_btf::dump_raw(&split) == run(false), "split raw dump differs from bpftool's");
    assert!(without_mode_attrs(&hive_btf::dump_c(&split)) == run(true), "split C dump differs from bpftool's");
}
