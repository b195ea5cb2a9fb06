//! [`RecordingHelpers`]: the helpers Hive's engines give generated programs.

use hive_interp::{Flow, HelperError, Helpers, Memory};

/// Records every helper call (its id and `r1`-`r5`) and answers a value that mixes them and
/// the call's rank, so that a difference in the arguments or the order of calls also shows in
/// what the program computes afterwards. Programs from [`crate::generate`] with
/// [`crate::GenConfig::max_helper_calls`] call argument-less helpers with `r1`-`r5` set, so
/// two engines must record the same calls.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordingHelpers {
    /// `(helper id, [r1, .., r5])` of each call, in order.
    pub calls: Vec<(i32, [u64; 5])>,
}

impl Helpers for RecordingHelpers {
    fn call_helper(&mut self, id: i32, args: [u64; 5], _: &mut Memory<'_>) -> Result<Flow, HelperError> {
        self.calls.push((id, args));
        let mut h = (self.calls.len() as u64) ^ (id as u64).rotate_left(32);
        for a in args {
            h = (h ^ a).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29);
        }
        Ok(Flow::Return(h))
    }
}
