//! Runs the kernel's old-format verifier selftests (`verifier_old_json`) through
//! [`hive_verifier::verify_program`] and prints the agreement with the expected verdicts.
//!
//! `cargo run -p hive-verifier --example old_json [-- FILTER] [-v]`

use hive_isa::RawInsn;
use hive_platform::map::MapType;
use hive_platform::prog::{AttachType, ProgType};
use hive_verifier::{LogLevel, MapMeta, ProgramEnv, VerifyOptions, verify_program};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "-v");
    let filter = args.iter().find(|a| !a.starts_with('-')).cloned();
    let dir = "/work/shared/corpora/kernel-verifier/verifier_old_json";
    let Ok(rd) = std::fs::read_dir(dir) else {
        println!("corpus not found at {dir}; skipping");
        return;
    };
    let mut files: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    files.sort();
    let (mut total, mut agree, mut false_accept, mut rejects, mut msg_ok) = (0, 0, 0, 0, 0);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let tests: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
        for t in tests {
            let descr = t["descr"].as_str().unwrap_or("").to_string();
            if let Some(fl) = &filter
                && !descr.contains(fl.as_str())
            {
                continue;
            }
            let Some(insns) = t["insns"].as_array() else { continue };
            let mut raw: Vec<RawInsn> = insns
                .iter()
                .map(|h| {
                    let v = u64::from_str_radix(h.as_str().unwrap(), 16).unwrap();
                    RawInsn::new(v as u8, (v >> 8) as u8 & 0xf, (v >> 12) as u8 & 0xf, (v >> 16) as u16 as i16, (v >> 32) as u32 as i32)
                })
                .collect();
            let mut maps: Vec<(i32, MapMeta)> = Vec::new();
            let kinds: [(&str, MapMeta); 8] = [
                ("fixup_map_hash_8b", MapMeta::new(MapType::Hash, 8, 8, 1)),
                ("fixup_map_hash_48b", MapMeta::new(MapType::Hash, 8, 48, 1)),
                ("fixup_map_hash_16b", MapMeta::new(MapType::Hash, 8, 16, 1)),
                ("fixup_map_array_48b", MapMeta::new(MapType::Array, 4, 48, 1)),
                ("fixup_map_array_small", MapMeta::new(MapType::Array, 4, 1, 1)),
                ("fixup_map_ringbuf", MapMeta::new(MapType::Ringbuf, 0, 0, 4096)),
                ("fixup_map_event_output", MapMeta::new(MapType::PerfEventArray, 4, 4, 1)),
                ("fixup_map_kptr", MapMeta { kptr_offs: vec![0, 8, 16], kptr_refs: vec![8, 16], ..MapMeta::new(MapType::Array, 4, 24, 1) }),
            ];
            for (i, (k, meta)) in kinds.iter().enumerate() {
                if let Some(list) = t.get(*k).and_then(|v| v.as_array()) {
                    let fd = 100 + i as i32;
                    maps.push((fd, meta.clone()));
                    for idx in list {
                        let idx = idx.as_u64().unwrap() as usize;
                        if idx < raw.len() {
                            raw[idx].imm = fd;
                        }
                    }
                }
            }
            let pt = t["prog_type"].as_u64().unwrap_or(0) as u32;
            let prog_type = ProgType::from_raw(pt).unwrap_or(ProgType::SocketFilter);
            let mut env = ProgramEnv::new(prog_type);
            env.attach_type = AttachType(t["expected_attach_type"].as_u64().unwrap_or(0) as u32);
            env.maps = &maps;
            env.sleepable = t["flags"].as_u64().unwrap_or(0) & 16 != 0;
            let result = t["result"].as_str().unwrap_or("");
            let result_unpriv = t["result_unpriv"].as_str().unwrap_or("UNDEF");
            let mut runs = vec![(true, result.to_string(), t["errstr"].as_str().map(str::to_string))];
            if matches!(pt, 0 | 1 | 8) {
                let (r, e) = if result_unpriv == "UNDEF" {
                    (result.to_string(), t["errstr"].as_str().map(str::to_string))
                } else {
                    (result_unpriv.to_string(), t["errstr_unpriv"].as_str().map(str::to_string))
                };
                runs.push((false, r, e));
            }
            for (privileged, expect, errstr) in runs {
                let opts = if privileged { VerifyOptions::privileged() } else { VerifyOptions::unprivileged() }
                    .with_log_level(LogLevel::Basic);
                let got = verify_program(&raw, &env, &opts);
                total += 1;
                let expect_accept = expect != "REJECT";
                let accepted = got.is_ok();
                let tag = if privileged { "priv" } else { "unpriv" };
                if accepted == expect_accept {
                    agree += 1;
                } else if accepted {
                    false_accept += 1;
                    println!("FALSE ACCEPT [{tag}] {}: {descr} (want {:?})", f.file_name().unwrap().to_string_lossy(), errstr);
                } else {
                    let e = got.as_ref().unwrap_err();
                    println!(
                        "false reject [{tag}] {}: {descr}: {} (at {:?})",
                        f.file_name().unwrap().to_string_lossy(),
                        e.message,
                        e.insn
                    );
                    if verbose {
                        println!("{}", e.log);
                    }
                }
                if !expect_accept && !accepted {
                    rejects += 1;
                    let log = &got.as_ref().unwrap_err().log;
                    let ok = match &errstr {
                        None => true,
                        Some(es) => {
                            let mut pos = 0;
                            es.split('\t').all(|part| match log[pos..].find(part) {
                                Some(p) => {
                                    pos += p + part.len();
                                    true
                                }
                                None => false,
                            })
                        }
                    };
                    if ok {
                        msg_ok += 1;
                    } else {
                        println!(
                            "  message [{tag}] {descr}: want {:?} got {:?}",
                            errstr,
                            got.as_ref().unwrap_err().message
                        );
                    }
                }
            }
        }
    }
    println!(
        "runs {total} agree {agree} ({:.1}%) false_accept {false_accept} rejections {rejects} messages {msg_ok} ({:.1}%)",
        100.0 * agree as f64 / total.max(1) as f64,
        100.0 * msg_ok as f64 / rejects.max(1) as f64
    );
}
