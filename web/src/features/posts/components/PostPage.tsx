import { Link, useParams } from "react-router-dom";
import { PostDetails } from "@/components/publishing/PostDetails";
import { browserZone } from "@/lib/zoned-time";

export function PostPage() {
  const { postId = "" } = useParams();
  return (
    <section className="stack" aria-labelledby="post-title">
      <p>
        <Link to="/posts">← Recent posts</Link>
      </p>
      <h1 id="post-title">Post</h1>
      <PostDetails postId={postId} timeZone={browserZone()} />
    </section>
  );
}
