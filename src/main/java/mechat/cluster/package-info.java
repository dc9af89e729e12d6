/**
 * Cluster mode (protocol §11), used only with {@code --cluster-port}: the node's {@link
 * mechat.cluster.NodeRegistry} (the source of truth for its own clients), the {@link
 * mechat.cluster.ClusterMatchmaker} singleton (a view rebuilt from every registry), membership and
 * transport-drop watchers, and the node's configuration. A single server never loads any of it.
 */
package mechat.cluster;
