//! The object model: descriptors, ids, lifetimes, info, BTF.

mod common;

use hive_isa::RawInsn;
use common::*;
use hive::{BtfId, Error, Fd, MapCreateAttr, MapId, ProgId, ProgLoadAttr, TestRunAttr};
use hive_maps::MapType;
use hive_platform::prog::ProgType;

fn array(c: &hive::Client) -> Fd {
    c.map_create(&MapCreateAttr::new(MapType::Array, 4, 8, 1).name("counts")).unwrap()
}

#[test]
fn descriptors_are_per_client_lowest_first() {
    let rt = runtime();
    let (a, b) = (rt.client(), rt.client());
    let m = array(&a);
    assert_eq!(m, Fd(3));
    let m2 = array(&a);
    assert_eq!(m2, Fd(4));
    a.close(m).unwrap();
    assert_eq!(array(&a), Fd(3), "the lowest free number is reused");
    assert!(matches!(b.map_info(m2), Err(Error::BadFd(_))), "descriptors belong to their client");
    assert_eq!(a.close(Fd(99)).unwrap_err().errno(), libc::EBADF);
    let d = a.dup(m2).unwrap();
    assert_eq!(a.map_info(d).unwrap().id, a.map_info(m2).unwrap().id);
}

#[test]
fn ids_are_global_and_never_reused() {
    let rt = runtime();
    let c = rt.client();
    let m = array(&c);
    let id = c.map_info(m).unwrap().id;
    assert_eq!(rt.map_ids(), vec![id]);
    c.close(m).unwrap();
    assert!(rt.map_ids().is_empty(), "closing the last descriptor frees the map");
    assert_eq!(c.map_get_fd_by_id(id).unwrap_err().errno(), libc::ENOENT);
    let m = array(&c);
    assert!(c.map_info(m).unwrap().id > id, "ids are not reused");
    assert_eq!(rt.map_next_id(MapId(u32::MAX - 1)).unwrap_err().errno(), libc::ENOENT);
    // Another client reaches it by id.
    let other = rt.client();
    let fd = other.map_get_fd_by_id(c.map_info(m).unwrap().id).unwrap();
    other.map_update_elem(fd, &0u32.to_ne_bytes(), &5u64.to_ne_bytes(), 0).unwrap();
    assert_eq!(c.map_lookup(m, &0u32.to_ne_bytes()).unwrap(), 5u64.to_ne_bytes());
}

#[test]
fn programs_hold_their_maps_and_clients_close_on_drop() {
    let rt = runtime();
    let c = rt.client();
    let m = array(&c);
    let map_id = c.map_info(m).unwrap().id;
    let p = load(&c, ProgType::Xdp, &format!("r1 = map[fd:{}] ll\nr0 = 2\nexit", m.0));
    let info = c.prog_info(p).unwrap();
    assert_eq!(info.map_ids, vec![map_id]);
    c.close(m).unwrap();
    assert_eq!(rt.map_ids(), vec![map_id], "the program still holds the map");
    let pid = info.id;
    let c2 = rt.client();
    let p2 = c2.prog_get_fd_by_id(pid).unwrap();
    assert_eq!(c2.prog_test_run(p2, &TestRunAttr::packet(&packet(64))).unwrap().retval, 2);
    drop(c2);
    c.close(p).unwrap();
    assert!(rt.prog_ids().is_empty() && rt.map_ids().is_empty(), "dropping the client closed its fds");
    assert_eq!(rt.prog_next_id(ProgId(0)).unwrap_err().errno(), libc::ENOENT);
}

#[test]
fn prog_array_is_cleared_when_its_last_descriptor_closes() {
    let rt = runtime();
    let c = rt.client();
    let pa = c.map_create(&MapCreateAttr::new(MapType::ProgArray, 4, 4, 1)).unwrap();
    // A program that tail-calls through the array it sits in: a reference cycle.
    let p = load(&c, ProgType::Xdp, &format!("r2 = map[fd:{}] ll\nr3 = 0\ncall bpf_tail_call\nr0 = 1\nexit", pa.0));
    c.map_update_elem(pa, &0u32.to_ne_bytes(), &p.0.to_ne_bytes(), 0).unwrap();
    let pid = c.prog_info(p).unwrap().id;
    assert_eq!(c.map_lookup(pa, &0u32.to_ne_bytes()).unwrap(), pid.0.to_ne_bytes(), "user space reads the id");
    c.close(p).unwrap();
    assert_eq!(rt.prog_ids(), vec![pid], "the prog array holds the program");
    c.close(pa).unwrap();
    assert!(rt.prog_ids().is_empty(), "the last user reference cleared the array");
    assert!(rt.map_ids().is_empty());
}

#[test]
fn inner_maps_keep_their_ids() {
    let rt = runtime();
    let c = rt.client();
    let inner = c.map_create(&MapCreateAttr::new(MapType::Array, 4, 8, 2)).unwrap();
    let outer = c
        .map_create(&MapCreateAttr { inner_map_fd: Some(inner), ..MapCreateAttr::new(MapType::ArrayOfMaps, 4, 4, 2) })
        .unwrap();
    c.map_update_elem(outer, &1u32.to_ne_bytes(), &inner.0.to_ne_bytes(), 0).unwrap();
    let inner_id = c.map_info(inner).unwrap().id;
    c.close(inner).unwrap();
    assert_eq!(c.map_lookup(outer, &1u32.to_ne_bytes()).unwrap(), inner_id.0.to_ne_bytes());
    let again = c.map_get_fd_by_id(inner_id).unwrap();
    c.map_update_elem(again, &1u32.to_ne_bytes(), &9u64.to_ne_bytes(), 0).unwrap();
    // A program looks the inner map up through the outer one.
    let text = format!(
        "*(u32 *)(r10 - 4) = 1\nr1 = map[fd:{}] ll\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem\nif r0 == 0 goto out\n\
         r1 = r0\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem\nif r0 == 0 goto out\nr0 = *(u64 *)(r0 + 0)\nexit\nout:\nr0 = 0\nexit",
        outer.0
    );
    let p = load(&c, ProgType::Xdp, &text);
    assert_eq!(c.prog_test_run(p, &TestRunAttr::packet(&packet(64))).unwrap().retval, 9);
}

#[test]
fn map_info_and_names() {
    let rt = runtime();
    let c = rt.client();
    let m = array(&c);
    let i = c.map_info(m).unwrap();
    assert_eq!((i.map_type, i.key_size, i.value_size, i.max_entries, i.name.as_str()), (MapType::Array, 4, 8, 1, "counts"));
    for bad in ["a_name_that_is_too_long", "bad-name"] {
        let err = c.map_create(&MapCreateAttr::new(MapType::Array, 4, 8, 1).name(bad)).unwrap_err();
        assert_eq!(err.errno(), libc::EINVAL, "{bad}");
    }
    assert_eq!(c.map_create(&MapCreateAttr::new(MapType::Array, 4, 0, 1)).unwrap_err().errno(), libc::EINVAL);
}

#[test]
fn prog_info_reports_what_was_loaded() {
    let rt = runtime();
    let c = rt.client();
    let m = array(&c);
    let attr = ProgLoadAttr::new(ProgType::Xdp, asm(&format!("r2 = map[fd:{}] ll\nr0 = *(u32 *)(r1 + 0)\nexit", m.0)))
        .name("prog.v1")
        .license("Dual BSD/GPL");
    let p = c.prog_load(&attr).unwrap();
    let i = c.prog_info(p).unwrap();
    assert_eq!((i.prog_type, i.name.as_str(), i.gpl_compatible), (ProgType::Xdp, "prog.v1", true));
    // Verified, so compiled by the JIT: jited_prog_len is the machine code's size.
    let hive::load::verify::Engine::Jit { code_bytes } = c.prog_object(p).unwrap().engine().clone() else {
        panic!("a verified program runs in the JIT")
    };
    assert_eq!((i.jited_prog_len as usize, i.jited_prog_insns.len()), (code_bytes, code_bytes));
    assert_eq!(i.xlated_prog_len, 4 * 8);
    let map_id = c.map_info(m).unwrap().id.0 as i32;
    assert_eq!((i.xlated_prog_insns[0].src, i.xlated_prog_insns[0].imm), (1, map_id), "xlated shows the map id");
    assert_eq!(i.xlated_prog_insns[1], RawInsn::default(), "and a map lddw's second slot as loaded, not an address");
    assert_eq!(i.xlated_prog_insns[2].off, 32, "and the rewritten context access");
    assert!(i.load_time > 0);
    let proprietary = c.prog_load(&ProgLoadAttr::new(ProgType::Xdp, asm("r0 = 0\nexit")).license("Proprietary")).unwrap();
    assert!(!c.prog_info(proprietary).unwrap().gpl_compatible);
}

#[test]
fn btf_load_validates_and_registers() {
    let rt = runtime();
    let c = rt.client();
    let mut b = hive_btf::BtfBuilder::new();
    b.int("int", 4, true);
    let bytes = b.to_bytes();
    let fd = c.btf_load(&bytes).unwrap();
    let info = c.btf_info(fd).unwrap();
    assert_eq!(info.btf, bytes);
    assert_eq!(rt.btf_next_id(BtfId(0)).unwrap(), info.id);
    let other = rt.client();
    other.btf_get_fd_by_id(info.id).unwrap();
    let mut broken = bytes.clone();
    broken[0] = 0;
    let err = c.btf_load(&broken).unwrap_err();
    assert_eq!(err.errno(), libc::EINVAL);
    assert!(!err.log().is_empty());
    // A map described by mismatching BTF is refused.
    let attr =
        MapCreateAttr { btf_fd: Some(fd), btf_key_type_id: 1, btf_value_type_id: 1, ..MapCreateAttr::new(MapType::Hash, 4, 8, 1) };
    assert_eq!(c.map_create(&attr).unwrap_err().errno(), libc::EINVAL);
    let attr = MapCreateAttr { value_size: 4, ..attr };
    let m = c.map_create(&attr).unwrap();
    assert_eq!(c.map_info(m).unwrap().btf_id, info.id.0);
}
