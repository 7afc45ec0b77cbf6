//! The configuration items' dependency graph, laid out for a drawing: each
//! item in a layer by the longest chain of items it depends on (an item
//! with no dependencies at the top), in ID order within its layer.

use std::collections::HashMap;

use crate::id::RecordId;

/// The most items drawn: a larger graph is cut, and the page says so.
pub const MAX_NODES: usize = 2000;

/// One item placed.
#[derive(Debug, Clone)]
pub struct Node {
    /// The item.
    pub id: RecordId,
    /// Its title.
    pub title: String,
    /// Its layer, from the top.
    pub layer: usize,
    /// Its place in the layer, from the left.
    pub slot: usize,
}

/// The graph, placed.
#[derive(Debug, Default)]
pub struct Graph {
    /// The items drawn.
    pub nodes: Vec<Node>,
    /// Edges as indexes into `nodes`: from the item to what it depends on.
    pub edges: Vec<(usize, usize)>,
    /// How many items there were in all (more than `nodes`: cut).
    pub total: usize,
}

impl Graph {
    /// Places the items `(id, title, depends_on)`. A dependency cycle
    /// (REPO005 reports it) is broken where the walk meets it again.
    pub fn new(mut items: Vec<(RecordId, String, Vec<RecordId>)>) -> Graph {
        items.sort_by(|a, b| a.0.cmp(&b.0));
        let total = items.len();
        items.truncate(MAX_NODES);
        let index: HashMap<&RecordId, usize> =
            items.iter().enumerate().map(|(i, it)| (&it.0, i)).collect();
        let deps: Vec<Vec<usize>> = items
            .iter()
            .map(|it| it.2.iter().filter_map(|d| index.get(d).copied()).collect())
            .collect();
        let layers = layers(&deps);
        let mut filled: HashMap<usize, usize> = HashMap::new();
        let nodes = items
            .iter()
            .zip(&layers)
            .map(|(it, &layer)| {
                let slot = filled.entry(layer).or_default();
                *slot += 1;
                Node {
                    id: it.0.clone(),
                    title: it.1.clone(),
                    layer,
                    slot: *slot - 1,
                }
            })
            .collect();
        let edges = deps
            .iter()
            .enumerate()
            .flat_map(|(from, ds)| ds.iter().map(move |&to| (from, to)))
            .collect();
        Graph {
            nodes,
            edges,
            total,
        }
    }

    /// How many layers and how many items the widest has.
    pub fn size(&self) -> (usize, usize) {
        let layers = self.nodes.iter().map(|n| n.layer + 1).max().unwrap_or(0);
        let wide = self.nodes.iter().map(|n| n.slot + 1).max().unwrap_or(0);
        (layers, wide)
    }
}

/// Each node's layer: one below the deepest of its dependencies.
fn layers(deps: &[Vec<usize>]) -> Vec<usize> {
    const UNSEEN: usize = usize::MAX;
    const ON_PATH: usize = usize::MAX - 1;
    let mut layer = vec![UNSEEN; deps.len()];
    for start in 0..deps.len() {
        if layer[start] != UNSEEN {
            continue;
        }
        // Iterative depth-first walk: a chain of thousands of items must
        // not run out of stack.
        let mut stack = vec![(start, 0usize)];
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if layer[node] == UNSEEN {
                layer[node] = ON_PATH;
            }
            if let Some(&dep) = deps[node].get(*next) {
                *next += 1;
                if layer[dep] == UNSEEN {
                    stack.push((dep, 0));
                }
                continue;
            }
            let below = deps[node]
                .iter()
                .filter(|&&d| layer[d] < ON_PATH)
                .map(|&d| layer[d] + 1)
                .max()
                .unwrap_or(0);
            layer[node] = below;
            stack.pop();
        }
    }
    layer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u32) -> RecordId {
        RecordId::parse(&format!("CI-20260101-{n:06}")).unwrap()
    }

    #[test]
    fn an_item_sits_one_layer_below_its_deepest_dependency_and_a_cycle_ends() {
        let g = Graph::new(vec![
            (id(1), "db".into(), vec![]),
            (id(2), "app".into(), vec![id(1)]),
            (id(3), "web".into(), vec![id(2), id(1)]),
            (id(4), "a".into(), vec![id(5)]),
            (id(5), "b".into(), vec![id(4)]),
        ]);
        let layer = |n: usize| g.nodes[n].layer;
        assert_eq!((layer(0), layer(1), layer(2)), (0, 1, 2));
        assert_eq!((layer(3), layer(4)), (1, 0), "{:?}", g.nodes);
        assert_eq!(g.edges.len(), 5);
    }

    #[test]
    fn a_long_chain_is_laid_out_without_deep_recursion() {
        let items = (1..=1500)
            .map(|n| {
                (
                    id(n),
                    String::new(),
                    if n > 1 { vec![id(n - 1)] } else { vec![] },
                )
            })
            .collect();
        let g = Graph::new(items);
        assert_eq!(g.size(), (1500, 1));
    }
}
