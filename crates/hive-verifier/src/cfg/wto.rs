//! Weak topological order (Bourdoncle, "Efficient chaotic iteration strategies with
//! widenings", 1993): the order in which a fixpoint iteration visits the blocks.
//!
//! A WTO lists the vertices so that every edge goes forward, except edges into the *head* of
//! a component (a loop), which the list nests in parentheses: `1 (2 3 (4 5)) 6`. Iterating
//! in this order, stabilising each component before leaving it and widening at its head,
//! terminates with any widening (PREVAIL and Crab iterate this way).
//!
//! The construction is Bourdoncle's recursive algorithm run on an explicit stack, so a
//! million-block program cannot overflow the thread's stack.

use super::BlockId;

/// One element of a weak topological order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WtoElem {
    /// A block outside any loop of this level.
    Vertex(BlockId),
    /// A loop: its head, then the elements of its body in order.
    Component(WtoComponent),
}

/// A strongly connected part of the graph with its head, where widening happens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WtoComponent {
    /// The loop head: every edge entering the loop from outside, and every back edge,
    /// targets it.
    pub head: BlockId,
    /// The rest of the loop, in order (inner loops nested).
    pub body: Vec<WtoElem>,
}

impl WtoElem {
    /// Every block in order, heads first, depth-first through nested components.
    pub fn blocks(&self, out: &mut Vec<BlockId>) {
        match self {
            WtoElem::Vertex(b) => out.push(*b),
            WtoElem::Component(c) => {
                out.push(c.head);
                for e in &c.body {
                    e.blocks(out);
                }
            }
        }
    }

    /// The heads of this element's components, outermost first.
    pub fn heads(&self, out: &mut Vec<BlockId>) {
        if let WtoElem::Component(c) = self {
            out.push(c.head);
            for e in &c.body {
                e.heads(out);
            }
        }
    }
}

const DONE: u32 = u32::MAX;

enum Frame {
    /// `visit(v)`: `next` successors tried so far; the result goes to partition `target`.
    Visit { v: usize, next: usize, head: u32, is_loop: bool, target: usize },
    /// `component(v)` building partition `parts` for a component delivered to `target`.
    Component { v: usize, next: usize, parts: usize, target: usize },
}

/// The WTO of the vertices `0..n` reachable from `entry`, `succs[v]` giving the successors.
/// Vertex `v` is reported as `BlockId(base + v)`.
pub(crate) fn wto(entry: usize, base: u32, succs: &[Vec<usize>]) -> Vec<WtoElem> {
    let id = |v: usize| BlockId(base + v as u32);
    let mut st = State { dfn: vec![0; succs.len()], num: 0, vstack: Vec::new() };
    // Partitions under construction, each in reverse order (Bourdoncle prepends).
    let mut parts: Vec<Vec<WtoElem>> = vec![Vec::new()];
    let mut frames: Vec<Frame> = Vec::new();
    frames.push(st.visit(entry, 0));

    while let Some(frame) = frames.last_mut() {
        match frame {
            Frame::Visit { v, next, head, is_loop, target } => {
                let (v, target) = (*v, *target);
                if let Some(&w) = succs[v].get(*next) {
                    *next += 1;
                    if st.dfn[w] == 0 {
                        let child = st.visit(w, target);
                        frames.push(child);
                    } else if st.dfn[w] <= *head {
                        *head = st.dfn[w];
                        *is_loop = true;
                    }
                    continue;
                }
                let (head, is_loop) = (*head, *is_loop);
                frames.pop();
                // Return `head` to the calling visit, if any.
                if let Some(Frame::Visit { head: ph, is_loop: pl, .. }) = frames.last_mut()
                    && head <= *ph
                {
                    *ph = head;
                    *pl = true;
                }
                if head != st.dfn[v] {
                    continue;
                }
                st.dfn[v] = DONE;
                let mut e = st.vstack.pop().expect("v is on the stack");
                if is_loop {
                    while e != v {
                        st.dfn[e] = 0;
                        e = st.vstack.pop().expect("v is below");
                    }
                    parts.push(Vec::new());
                    frames.push(Frame::Component { v, next: 0, parts: parts.len() - 1, target });
                } else {
                    parts[target].push(WtoElem::Vertex(id(v)));
                }
            }
            Frame::Component { v, next, parts: p, target } => {
                let (v, p, target) = (*v, *p, *target);
                if let Some(&w) = succs[v].get(*next) {
                    *next += 1;
                    if st.dfn[w] == 0 {
                        let child = st.visit(w, p);
                        frames.push(child);
                    }
                    continue;
                }
                frames.pop();
                debug_assert_eq!(p, parts.len() - 1);
                let mut body = parts.pop().expect("component partition");
                body.reverse();
                parts[target].push(WtoElem::Component(WtoComponent { head: id(v), body }));
            }
        }
    }
    let mut top = parts.pop().expect("top-level partition");
    top.reverse();
    top
}

/// Depth-first numbering and the vertex stack.
struct State {
    dfn: Vec<u32>,
    num: u32,
    vstack: Vec<usize>,
}

impl State {
    /// Starts `visit(v)`, its result going to partition `target`.
    fn visit(&mut self, v: usize, target: usize) -> Frame {
        self.vstack.push(v);
        self.num += 1;
        self.dfn[v] = self.num;
        Frame::Visit { v, next: 0, head: self.num, is_loop: false, target }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(elems: &[WtoElem]) -> String {
        elems
            .iter()
            .map(|e| match e {
                WtoElem::Vertex(b) => b.0.to_string(),
                WtoElem::Component(c) => format!("({} {})", c.head.0, show(&c.body)).replace(" )", ")"),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn bourdoncle_example() {
        // 0 → 1 → 2 → 3 → 4, with loops 3 → 1 and 2 → 2: a self-loop nested in a loop.
        let succs = vec![vec![1], vec![2], vec![2, 3], vec![1, 4], vec![]];
        assert_eq!(show(&wto(0, 0, &succs)), "0 (1 (2) 3) 4");
        let line = vec![vec![1], vec![2], vec![]];
        assert_eq!(show(&wto(0, 0, &line)), "0 1 2");
        let self_loop = vec![vec![0]];
        assert_eq!(show(&wto(0, 0, &self_loop)), "(0)");
    }

    /// Every edge goes forward in the order, or back to the head of a component containing
    /// its source; every reachable vertex appears once.
    #[test]
    fn random_graphs_are_ordered() {
        let mut seed = 0x1234_5678_9abc_def0u64;
        let mut rnd = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n) as usize
        };
        for _ in 0..300 {
            let n = 1 + rnd(12);
            let succs: Vec<Vec<usize>> = (0..n).map(|_| (0..rnd(3)).map(|_| rnd(n as u64)).collect()).collect();
            let order = wto(0, 0, &succs);
            let mut pos = vec![usize::MAX; n];
            let mut flat = Vec::new();
            for e in &order {
                e.blocks(&mut flat);
            }
            for (i, b) in flat.iter().enumerate() {
                assert_eq!(pos[b.0 as usize], usize::MAX, "{succs:?}: {b:?} twice");
                pos[b.0 as usize] = i;
            }
            // Components containing each vertex, as (head, set of members).
            fn walk(e: &WtoElem, heads: &mut Vec<BlockId>, inside: &mut Vec<Vec<BlockId>>) {
                match e {
                    WtoElem::Vertex(b) => inside[b.0 as usize] = heads.clone(),
                    WtoElem::Component(c) => {
                        heads.push(c.head);
                        inside[c.head.0 as usize] = heads.clone();
                        for x in &c.body {
                            walk(x, heads, inside);
                        }
                        heads.pop();
                    }
                }
            }
            let mut inside = vec![Vec::new(); n];
            for e in &order {
                walk(e, &mut Vec::new(), &mut inside);
            }
            for u in 0..n {
                if pos[u] == usize::MAX {
                    continue;
                }
                for &v in &succs[u] {
                    assert_ne!(pos[v], usize::MAX, "{succs:?}: {v} reachable but missing");
                    if pos[v] <= pos[u] {
                        assert!(inside[u].contains(&BlockId(v as u32)), "{succs:?}: back edge {u}->{v} not to a head");
                    }
                }
            }
        }
    }
}
