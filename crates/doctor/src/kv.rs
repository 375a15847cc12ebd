//! KV-cache size estimate (formula in the crate docs).

use worker::backend::ModelDetails;

/// The shape the estimate uses when the server gives none: Llama-3-8B (32 layers, 8 KV heads, head 128).
pub const FALLBACK_LAYOUT: Layout = Layout {
    n_layers: 32,
    n_kv_heads: 8,
    head_dim: 128,
    from_server: false,
};

/// The attention layout that decides the KV cache's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Transformer layers.
    pub n_layers: u64,
    /// Key/value heads (grouped-query attention shares them between query heads).
    pub n_kv_heads: u64,
    /// Width of one head.
    pub head_dim: u64,
    /// Read from the server (`true`) or [`FALLBACK_LAYOUT`].
    pub from_server: bool,
}

impl Layout {
    /// The layout from `/api/show`'s `model_info`, or [`FALLBACK_LAYOUT`] when a value is missing.
    pub fn of(details: &ModelDetails) -> Layout {
        let head_dim = details.key_length.max(details.value_length).or_else(|| {
            match (details.embedding_length, details.head_count) {
                (Some(e), Some(h)) if h > 0 => Some(e / h),
                _ => None,
            }
        });
        let kv_heads = details.head_count_kv.or(details.head_count);
        match (details.block_count, kv_heads, head_dim) {
            (Some(n_layers), Some(n_kv_heads), Some(head_dim))
                if n_layers > 0 && n_kv_heads > 0 && head_dim > 0 =>
            {
                Layout {
                    n_layers,
                    n_kv_heads,
                    head_dim,
                    from_server: true,
                }
            }
            _ => FALLBACK_LAYOUT,
        }
    }
}

/// Bytes per cached element for an `OLLAMA_KV_CACHE_TYPE`, in halves (f16 = 4 halves = 2 bytes): q8_0 is 1
/// byte, q4_0 half a byte. Unknown types count as f16.
fn half_bytes_per_element(cache_type: &str) -> u64 {
    match cache_type.trim().to_ascii_lowercase().as_str() {
        "q8_0" => 2,
        "q4_0" => 1,
        _ => 4,
    }
}

/// `2 × n_layers × num_ctx × n_kv_heads × head_dim × bytes_per_element`.
pub fn kv_cache_bytes(layout: Layout, num_ctx: u64, cache_type: &str) -> u64 {
    let halves = 2u64
        .saturating_mul(layout.n_layers)
        .saturating_mul(num_ctx)
        .saturating_mul(layout.n_kv_heads)
        .saturating_mul(layout.head_dim)
        .saturating_mul(half_bytes_per_element(cache_type));
    halves / 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qwen25_coder_7b_at_8k_is_448_mib() {
        // qwen2.5-coder:7b: 28 layers, 4 KV heads, 28 heads × 128 = 3584 wide.
        let d = ModelDetails {
            block_count: Some(28),
            head_count: Some(28),
            head_count_kv: Some(4),
            embedding_length: Some(3584),
            ..ModelDetails::default()
        };
        let l = Layout::of(&d);
        assert!(l.from_server);
        assert_eq!(l.head_dim, 128);
        assert_eq!(kv_cache_bytes(l, 8192, "f16"), 448 * 1024 * 1024);
        assert_eq!(kv_cache_bytes(l, 8192, "q8_0"), 224 * 1024 * 1024);
        assert_eq!(kv_cache_bytes(l, 8192, "q4_0"), 112 * 1024 * 1024);
    }

    #[test]
    fn missing_layout_uses_the_documented_fallback() {
        let l = Layout::of(&ModelDetails::default());
        assert_eq!(l, FALLBACK_LAYOUT);
        // 128 KiB per token at f16.
        assert_eq!(kv_cache_bytes(l, 1, "f16"), 128 * 1024);
        assert_eq!(kv_cache_bytes(l, 8192, ""), 1024 * 1024 * 1024);
    }

    #[test]
    fn explicit_key_length_wins_over_embedding_division() {
        let d = ModelDetails {
            block_count: Some(26),
            head_count: Some(8),
            head_count_kv: Some(4),
            embedding_length: Some(2304),
            key_length: Some(256),
            value_length: Some(256),
            ..ModelDetails::default()
        };
        assert_eq!(Layout::of(&d).head_dim, 256);
    }
}
