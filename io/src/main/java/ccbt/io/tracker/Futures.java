package ccbt.io.tracker;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Every future of this package fails with the exception itself (a {@link TrackerException}), never with the
 * {@link CompletionException} that dependent stages wrap it in, so that callers' {@code handle}/{@code
 * exceptionally} see the same type whichever protocol ran.
 */
final class Futures {
    private Futures() {}

    /** A future with {@code f}'s outcome, its failure unwrapped; cancelling it cancels {@code f}. */
    static <T> CompletableFuture<T> unwrapped(CompletableFuture<T> f) {
        CompletableFuture<T> out = new CompletableFuture<>();
        f.whenComplete((value, error) -> {
            if (error == null) {
                out.complete(value);
            } else {
                out.completeExceptionally(cause(error));
            }
        });
        out.whenComplete((value, error) -> {
            if (out.isCancelled()) {
                f.cancel(true);
            }
        });
        return out;
    }

    /** The exception a {@link CompletionException} or {@link ExecutionException} wraps. */
    static Throwable cause(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
