// Temporal's time-skipping test server, bound to 127.0.0.1 only (the stock TestServer main binds
// every interface). Arguments: <port> [--enable-time-skipping] [--start-time=<ISO-8601 instant>].
// --start-time lets a test begin on a chosen day (e.g. just before a public holiday).
package agencyos;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.net.InetSocketAddress;
import java.time.Instant;

public final class LoopbackTestServer {
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("Usage: LoopbackTestServer <port> [--enable-time-skipping] [--start-time=<ISO instant>]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    boolean enableTimeSkipping = false;
    long startMillis = 0; // 0: the current time
    for (int i = 1; i < args.length; i++) {
      if (args[i].equalsIgnoreCase("--enable-time-skipping")) enableTimeSkipping = true;
      else if (args[i].startsWith("--start-time=")) startMillis = Instant.parse(args[i].substring(13)).toEpochMilli();
      else {
        System.err.println("Unknown flag " + args[i]);
        System.exit(2);
      }
    }
    TestServicesStarter starter = new TestServicesStarter(!enableTimeSkipping, startMillis);
    ServerBuilder<?> builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port));
    GRPCServerHelper.registerServicesAndHealthChecks(starter.getServices(), builder);
    Server server = builder.build().start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdownNow();
      starter.close();
    }));
    server.awaitTermination();
  }
}
