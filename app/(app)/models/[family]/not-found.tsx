import { NotFoundState } from "@/components/ui/states";

export default function NotFound() {
  return <NotFoundState what="Model family" back={{ href: "/models", label: "Models" }} />;
}
